"""The output folder: atomic writes, a lock against concurrent runs, and a manifest of what
the tool wrote, so that a rerun replaces its own files and never a user's."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from outreach.errors import OutputError

MANIFEST = ".outreach-manifest.json"
LOCK = ".outreach.lock"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Sink:
    """A binary file that keeps the digest of what went into it, for the manifest."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self._handle.write(data)
        self.hash.update(data)


class OutputFolder:
    """Files are written under a temporary name and renamed into place, so an interrupted run
    never leaves half a file under its final name."""

    def __init__(self, root: Path, force: bool = False) -> None:
        self.root = root
        self.force = force
        self.previous: dict[str, str | None] = {}
        self.written: dict[str, str] = {}

    def claim(self, paths: Iterable[str]) -> None:
        """Check that every path may be written, and note the claim in the manifest first, so that a
        run interrupted after this point can be rerun without tripping over its own files."""
        wanted = set(paths)
        self.previous = self._read_manifest()
        foreign = sorted(p for p in self._existing() if p not in self.previous)
        if foreign and not self.force:
            raise OutputError(
                f"{self.root} holds files outreach did not write ({_some(foreign)}); "
                "choose an empty folder, or pass --force to write beside them"
            )
        clobbered = sorted(p for p in foreign if p in wanted)
        if clobbered:
            raise OutputError(
                f"{self.root}: will not replace files outreach did not write: {_some(clobbered)}"
            )
        if not self.force:
            edited = sorted(
                p for p, digest in self.previous.items() if digest and self._edited(p, digest)
            )
            if edited:
                raise OutputError(
                    f"{self.root}: {_some(edited)} changed since outreach wrote "
                    f"{'it' if len(edited) == 1 else 'them'}; pass --force to replace, or move them away"
                )
        self._write_manifest({**self.previous, **dict.fromkeys(wanted - self.previous.keys())})

    def write(self, relative: str, data: bytes) -> None:
        with self.stream(relative) as sink:
            sink.write(data)

    @contextmanager
    def stream(self, relative: str) -> Iterator[_Sink]:
        """A file written piece by piece, that appears under its name only once complete."""
        target = self.root / relative
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                sink = _Sink(handle)
                yield sink
            os.replace(temporary, target)
        except OSError as error:
            with suppress(OSError):
                temporary.unlink()
            raise OutputError(f"{target}: cannot write: {error.strerror or error}") from None
        except BaseException:
            with suppress(OSError):
                temporary.unlink()
            raise
        self.written[relative] = sink.hash.hexdigest()

    def finish(self) -> list[str]:
        """Remove the files of an earlier run that this run did not write again; record the rest."""
        stale = sorted(set(self.previous) - set(self.written))
        for relative in stale:
            with suppress(FileNotFoundError):
                (self.root / relative).unlink()
            _remove_empty_parents(self.root / relative, self.root)
        self._write_manifest(dict(self.written))
        return stale

    def _edited(self, relative: str, digest: str) -> bool:
        try:
            return _digest((self.root / relative).read_bytes()) != digest
        except FileNotFoundError:
            return False

    def _existing(self) -> Iterator[str]:
        for directory, _, names in os.walk(self.root):
            for name in names:
                relative = (Path(directory) / name).relative_to(self.root).as_posix()
                if relative not in (MANIFEST, LOCK) and not name.endswith(".tmp"):
                    yield relative

    def _read_manifest(self) -> dict[str, str | None]:
        path = self.root / MANIFEST
        try:
            files = json.loads(path.read_text(encoding="utf-8"))["files"]
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError):
            raise OutputError(
                f"{path}: not a manifest outreach can read; remove it to start afresh"
            ) from None
        return {str(k): v for k, v in files.items()}

    def _write_manifest(self, files: dict[str, str | None]) -> None:
        body = {"written_by": "outreach", "files": dict(sorted(files.items()))}
        data = (json.dumps(body, indent=1) + "\n").encode()
        temporary = self.root / f".{MANIFEST}.{os.getpid()}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, self.root / MANIFEST)


@contextmanager
def output_folder(root: Path, force: bool = False) -> Iterator[OutputFolder]:
    """The folder, created if needed and locked for the run."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"{root}: cannot create the output folder: {error.strerror or error}"
        ) from None
    if not root.is_dir():
        raise OutputError(f"{root}: not a folder")
    lock = root / LOCK
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if _holder_alive(lock):
            raise OutputError(
                f"{root}: another outreach run is writing here ({lock}); wait for it to finish"
            ) from None
        lock.unlink(missing_ok=True)  # left by a run that was killed
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    try:
        os.write(descriptor, f"{os.getpid()}\n".encode())
        os.close(descriptor)
        yield OutputFolder(root, force)
    finally:
        lock.unlink(missing_ok=True)


def _holder_alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text().strip())
    except (OSError, ValueError):
        return True  # being written this instant, or not ours to judge: assume a live run
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _some(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _remove_empty_parents(path: Path, root: Path) -> None:
    parent = path.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
