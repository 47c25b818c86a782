"""The output folder: atomic writes, a lock against concurrent runs, and a manifest of what
the tool wrote, so that a rerun replaces its own files and never a user's.

A run names the files it will write before writing them: up front (`claim`) for those known
then, and in a journal in the scratch folder (`journal`) for those a worker process decides
on as it goes. A rerun after a kill reads the journal, so it knows the dead run's files for
its own. Worker processes hand their files' digests over in manifest parts (`set_aside`),
which `finish` merges: the run's parent never holds a digest per file."""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from outreach.errors import OutputError

MANIFEST = ".outreach-manifest.json"
LOCK = ".outreach.lock"
SCRATCH = ".outreach-scratch"
_MERGE_AT_ONCE = 64
"""Manifest parts merged at once: one open file each."""
_TEMPORARY = re.compile(r"\.(.+)\.(\d+)\.tmp")
"""`.<name>.<pid>.tmp`: a file being written, renamed to <name> once complete."""


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
        self.foreign: frozenset[str] = frozenset()
        """Files here that outreach did not write (only with --force): never to be replaced."""
        self.scratch = root / SCRATCH
        """Intermediate files of the run; a killed run's are read, then cleared, by the next."""
        self._parts: list[Path] = []
        self._folders: set[str] = set()

    def claim(self, paths: Iterable[str]) -> None:
        """Check that every path may be written, and note the claim in the manifest first, so that a
        run interrupted after this point can be rerun without tripping over its own files."""
        wanted = set(paths)
        # What a killed run journaled may be half replaced: it is ours, with no digest to trust.
        self.previous = {**self._read_manifest(), **dict.fromkeys(self._journaled())}
        existing, temporaries = self._scan()
        self._remove_temporaries(temporaries, wanted | self.previous.keys())
        foreign = sorted(p for p in existing if p not in self.previous)
        self.foreign = frozenset(foreign)
        if foreign and not self.force:
            raise OutputError(
                f"{self.root} holds files outreach did not write ({_some(foreign)}); "
                "choose an empty folder, or pass --force to write beside them"
            )
        self.refuse_foreign(wanted)
        if not self.force:
            edited = sorted(
                p for p, digest in self.previous.items() if digest and self._edited(p, digest)
            )
            if edited:
                raise OutputError(
                    f"{self.root}: {_some(edited)} changed since outreach wrote "
                    f"{'it' if len(edited) == 1 else 'them'}; pass --force to replace, or move them away"
                )
        # A file about to be rewritten loses its digest: if the run dies after replacing it,
        # the rerun must not mistake the new content for a user's edit.
        self._write_manifest({**self.previous, **dict.fromkeys(wanted)})
        shutil.rmtree(self.scratch, ignore_errors=True)  # its journal is in the manifest now
        (self.scratch / "journal").mkdir(parents=True)

    def refuse_foreign(self, paths: Iterable[str]) -> None:
        """Stop before writing any of `paths` that is a file outreach did not write."""
        clobbered = sorted(self.foreign.intersection(paths))
        if clobbered:
            raise OutputError(
                f"{self.root}: will not replace files outreach did not write: {_some(clobbered)}"
            )

    def journal(self, paths: Iterable[str]) -> None:
        """Note files this process is about to write, before writing them (see `claim`)."""
        paths = list(paths)
        self.refuse_foreign(paths)
        journal = self.scratch / "journal" / f"{os.getpid()}.jsonl"
        with journal.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{json.dumps(path)}\n" for path in paths)

    def set_aside(self, name: str) -> Path:
        """Write the digests of the files this process wrote to a manifest part, sorted, and
        forget them; the parent passes the part to `take_part`."""
        part = self.scratch / f"written-{name}.jsonl"
        with part.open("w", encoding="utf-8") as handle:
            handle.writelines(f"{entry}\n" for entry in _entries(self.written))
        self.written.clear()
        return part

    def take_part(self, part: Path) -> None:
        self._parts.append(part)

    def write(self, relative: str, data: bytes) -> None:
        """One whole file, atomically. The hot path of a run (a file per call): plain system
        calls, and each folder made once."""
        target = os.path.join(self.root, relative)
        folder, name = os.path.split(target)
        temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
            os.replace(temporary, target)
        except OSError as error:
            with suppress(OSError):
                os.unlink(temporary)
            raise OutputError(f"{target}: cannot write: {error.strerror or error}") from None
        self.written[relative] = _digest(data)

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
        stale = set(self.previous)
        if stale:  # a rerun: what it wrote again is not stale
            stale -= {next(iter(json.loads(f"{{{entry}}}"))) for entry in self._all_written()}
        for relative in sorted(stale):
            with suppress(FileNotFoundError):
                (self.root / relative).unlink()
            _remove_empty_parents(self.root / relative, self.root)
        self._write_manifest(self._all_written())
        shutil.rmtree(self.scratch, ignore_errors=True)
        return sorted(stale)

    def _all_written(self) -> Iterator[str]:
        """The manifest's entries of every file this run wrote, in order: this process's and
        the parts' (already formatted, so the parent only merges lines)."""
        while len(self._parts) > _MERGE_AT_ONCE:  # a part per rep: keep open files few
            groups = [self._parts[i : i + _MERGE_AT_ONCE]
                      for i in range(0, len(self._parts), _MERGE_AT_ONCE)]  # fmt: skip
            self._parts = [self._merged(group) for group in groups]
        return heapq.merge(_entries(self.written), *map(_read_part, self._parts))

    def _merged(self, parts: list[Path]) -> Path:
        if len(parts) == 1:
            return parts[0]
        merged = parts[0].with_name(f"merged-{parts[0].stem}.jsonl")
        with merged.open("w", encoding="utf-8") as handle:
            handle.writelines(f"{entry}\n" for entry in heapq.merge(*map(_read_part, parts)))
        return merged

    def _journaled(self) -> list[str]:
        paths: list[str] = []
        for journal in sorted((self.scratch / "journal").glob("*.jsonl")):
            with journal.open(encoding="utf-8") as handle:
                for line in handle:
                    with suppress(ValueError):  # the last line of a killed writer may be cut
                        paths.append(str(json.loads(line)))
        return paths

    def _edited(self, relative: str, digest: str) -> bool:
        try:
            return _digest((self.root / relative).read_bytes()) != digest
        except FileNotFoundError:
            return False

    def _scan(self) -> tuple[list[str], list[tuple[Path, str]]]:
        """The files in the folder, and the temporaries left with the name each was for."""
        existing: list[str] = []
        temporaries: list[tuple[Path, str]] = []
        for directory, folders, names in os.walk(self.root):
            folder = Path(directory)
            if folder == self.root and SCRATCH in folders:
                folders.remove(SCRATCH)
            for name in names:
                relative = (folder / name).relative_to(self.root).as_posix()
                temporary = _TEMPORARY.fullmatch(name)
                if temporary:
                    target = (folder / temporary.group(1)).relative_to(self.root).as_posix()
                    temporaries.append((folder / name, target))
                elif relative not in (MANIFEST, LOCK):
                    existing.append(relative)
        return existing, temporaries

    def _remove_temporaries(self, temporaries: list[tuple[Path, str]], known: set[str]) -> None:
        """Remove what a killed run left half written: with the lock held, no run is writing.
        Only temporaries of files outreach writes here go; a user's `.x.1.tmp` stays."""
        for path, target in temporaries:
            if target in known or target == MANIFEST:
                with suppress(FileNotFoundError):
                    path.unlink()
                _remove_empty_parents(path, self.root)

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

    def _write_manifest(self, files: dict[str, str | None] | Iterator[str]) -> None:
        """Written entry by entry, in path order: a run of half a million files needs no copy
        of it as text."""
        entries = _entries(files) if isinstance(files, dict) else files
        temporary = self.root / f".{MANIFEST}.{os.getpid()}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write('{\n "written_by": "outreach",\n "files": {')
            empty = True
            for entry in entries:
                handle.write(f"{'' if empty else ','}\n  {entry}")
                empty = False
            handle.write("}\n}\n" if empty else "\n }\n}\n")
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
    with _run_lock(root / LOCK):
        yield OutputFolder(root, force)


@contextmanager
def _run_lock(lock: Path) -> Iterator[None]:
    """An exclusive lock on the folder for one run, held by the operating system.

    The lock file names the PID of the run holding it, for people; the lock itself is an
    advisory file lock, which dies with its process. So a run that was killed never locks
    the folder for good, and of several runs that start at the same instant exactly one
    gets it (judging a lock file by its PID and replacing it let two in)."""
    descriptor = _acquire(lock)
    try:
        yield
    finally:
        _release(lock, descriptor)


def _acquire(lock: Path) -> int:
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputError(
                f"{lock}: cannot create the lock: {error.strerror or error}"
            ) from None
        if not _try_lock(descriptor):
            os.close(descriptor)
            raise OutputError(
                f"{lock.parent}: another outreach run is writing here ({lock}); "
                "wait for it to finish"
            )
        # The holder we waited on may have removed the file and another run made a new one:
        # a lock on a file that is no longer at the path locks nothing.
        try:
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(current, os.fstat(descriptor)):
            break
        os.close(descriptor)
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode())
    return descriptor


def _release(lock: Path, descriptor: int) -> None:
    if sys.platform == "win32":  # an open file cannot be removed: close it first
        os.close(descriptor)
        with suppress(OSError):
            lock.unlink()
    else:  # removed while still locked, so no run can take a lock on the departing file
        with suppress(OSError):
            lock.unlink()
        os.close(descriptor)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as error:  # a file system without locks (some network shares)
            raise OutputError(
                f"cannot lock the output folder: {error.strerror or error}; write to a local folder"
            ) from None
        return True


def _entries(files: dict[str, str] | dict[str, str | None]) -> list[str]:
    """`"path": "digest"` per file, sorted: the manifest's lines. Sorting the lines sorts by
    path, since the closing quote sorts before every character of the names outreach writes
    (slugs: letters, digits, `-`, `_`, `.` and `/`)."""
    return sorted(f"{json.dumps(path)}: {json.dumps(digest)}" for path, digest in files.items())


def _read_part(part: Path) -> Iterator[str]:
    with part.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.removesuffix("\n")


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
