"""The output folder: atomic writes, and a manifest of what the tool wrote, so that a rerun
replaces its own files and never a user's; `output_folder` opens it for one run at a time
(see `output.lock`).

A run names the files it will write before writing them: up front (`claim`) for those known
then, and in a journal in the scratch folder (`journal`) for those a worker process decides
on as it goes. A rerun after a kill reads the journal, so it knows the dead run's files for
its own. Worker processes hand their files' digests over in manifest parts (`set_aside`),
which `finish` merges: the run's parent never holds a digest per file.

Every file is written and removed through a `ConfinedFolder`: nothing outside the folder,
and nothing through a symbolic link. What the folder itself says (its manifest, a killed
run's journals) is checked like any input: damaged, it counts as absent, with a warning."""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from outreach.errors import OutputError
from outreach.model.text import plural, shortened
from outreach.output.confined import ConfinedFolder
from outreach.output.lock import LOCK, run_lock
from outreach.output.paths import UnsafePath, path_parts, temporary_of

MANIFEST = ".outreach-manifest.json"
SCRATCH = ".outreach-scratch"
JOURNALS = f"{SCRATCH}/journal"
OUTCOMES = "outcomes.csv"
"""What happened on the calls, as `outreach log` records it: no run replaces or removes it."""
_MERGE_AT_ONCE = 64
"""Manifest parts merged at once: one open file each."""
_DIGEST = re.compile(r"[0-9a-f]{64}")
_NAMED = 3
"""Paths a message names; the rest it counts."""


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

    def __init__(self, files: ConfinedFolder, force: bool = False) -> None:
        self.files = files
        self.root = files.root
        self.force = force
        self.previous: dict[str, str | None] = {}
        self.written: dict[str, str] = {}
        self.foreign: frozenset[str] = frozenset()
        """Files here that outreach did not write (only with --force): never to be replaced."""
        self.warnings: list[str] = []
        """What the folder said that could not be trusted (a damaged manifest, say)."""
        self._parts: list[str] = []

    def __reduce__(self) -> tuple[object, ...]:
        """A worker process gets the folder opened anew at its path, with what it needs to
        write there (not the previous run's manifest)."""
        return _reopened, (self.root, self.force, self.foreign)

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
                f"{self.root} holds files outreach did not write ({shortened(foreign, _NAMED)}); "
                "choose an empty folder, or pass --force to write beside them"
                + "".join(f" (warning: {warning})" for warning in self.warnings)
            )
        self.refuse_foreign(wanted)
        if not self.force:
            edited = sorted(
                p for p, digest in self.previous.items() if digest and self._edited(p, digest)
            )
            if edited:
                raise OutputError(
                    f"{self.root}: {shortened(edited, _NAMED)} changed since outreach wrote "
                    f"{'it' if len(edited) == 1 else 'them'}; pass --force to replace, or move them away"
                )
        # A file about to be rewritten loses its digest: if the run dies after replacing it,
        # the rerun must not mistake the new content for a user's edit.
        self._write_manifest({**self.previous, **dict.fromkeys(wanted)})
        self.files.remove_tree(SCRATCH)  # its journal is in the manifest now

    def refuse_foreign(self, paths: Iterable[str]) -> None:
        """Stop before writing any of `paths` that is a file outreach did not write."""
        clobbered = sorted(self.foreign.intersection(paths))
        if clobbered:
            raise OutputError(
                f"{self.root}: will not replace files outreach did not write: {shortened(clobbered, _NAMED)}"
            )

    def journal(self, paths: Iterable[str]) -> None:
        """Note files this process is about to write, before writing them (see `claim`)."""
        paths = list(paths)
        self.refuse_foreign(paths)
        with self.files.append(f"{JOURNALS}/{os.getpid()}.jsonl") as handle:
            handle.write("".join(f"{json.dumps(path)}\n" for path in paths).encode())

    def set_aside(self, name: str) -> str:
        """Write the digests of the files this process wrote to a manifest part, sorted, and
        forget them; the parent passes the part to `take_part`."""
        part = f"{SCRATCH}/written-{name}.jsonl"
        self.files.write(part, "".join(f"{entry}\n" for entry in _entries(self.written)).encode())
        self.written.clear()
        return part

    def take_part(self, part: str) -> None:
        self._parts.append(part)

    def scratch_write(self, name: str, data: bytes) -> None:
        """Data of the run that is no output of it, kept in the scratch folder for `scratch_take`."""
        self.files.write(f"{SCRATCH}/{name}", data)

    def scratch_take(self, name: str) -> bytes:
        data = self.files.read(f"{SCRATCH}/{name}")
        self.files.remove(f"{SCRATCH}/{name}")
        return data

    def write(self, relative: str, data: bytes) -> None:
        """One whole file, atomically. The hot path of a run (a file per call)."""
        self.files.write(relative, data)
        self.written[relative] = _digest(data)

    def as_written(self, relative: str, digest: str) -> bytes | None:
        """The file's bytes, if they are still those whose digest an earlier run recorded."""
        try:
            data = self.files.read(relative)
        except (OSError, UnsafePath):
            return None
        return data if _digest(data) == digest else None

    def keep(self, relative: str, data: bytes) -> None:
        """Leave as it is a file this run would write with the same bytes (`data`, read back
        from it), and record it as written."""
        self.written[relative] = _digest(data)

    def refresh(self, relative: str, data: bytes) -> None:
        """`write`, unless the file already holds exactly `data`: then `keep` it."""
        try:
            same = self.files.read(relative) == data
        except (OSError, UnsafePath):  # not there, or not a file to keep: write it
            same = False
        if same:
            self.keep(relative, data)
        else:
            self.write(relative, data)

    @contextmanager
    def stream(self, relative: str) -> Iterator[_Sink]:
        """A file written piece by piece, that appears under its name only once complete."""
        with self.files.create(relative) as handle:
            sink = _Sink(handle)
            yield sink
        self.written[relative] = sink.hash.hexdigest()

    def finish(self) -> list[str]:
        """Remove the files of an earlier run that this run did not write again; record the rest."""
        stale = set(self.previous)
        if stale:  # a rerun: what it wrote again is not stale
            stale -= {next(iter(json.loads(f"{{{entry}}}"))) for entry in self._all_written()}
        for relative in sorted(stale):
            with suppress(UnsafePath):  # the way there is a link or a file: it is not there
                self.files.remove(relative)
                self.files.prune(relative)
        self._write_manifest(self._all_written())
        self.files.remove_tree(SCRATCH)
        return sorted(stale)

    def _all_written(self) -> Iterator[str]:
        """The manifest's entries of every file this run wrote, in order: this process's and
        the parts' (already formatted, so the parent only merges lines)."""
        while len(self._parts) > _MERGE_AT_ONCE:  # a part per rep: keep open files few
            groups = [
                self._parts[i : i + _MERGE_AT_ONCE]
                for i in range(0, len(self._parts), _MERGE_AT_ONCE)
            ]
            self._parts = [self._merged(group) for group in groups]
        return heapq.merge(_entries(self.written), *map(self._read_part, self._parts))

    def _merged(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        merged = f"{SCRATCH}/merged-{parts[0].rpartition('/')[2]}"
        with self.files.create(merged) as handle:
            for entry in heapq.merge(*map(self._read_part, parts)):
                handle.write(f"{entry}\n".encode())
        return merged

    def _read_part(self, part: str) -> Iterator[str]:
        with self.files.open(part) as handle:
            for line in handle:
                yield line.decode("utf-8").removesuffix("\n")

    def _journaled(self) -> list[str]:
        """The files a killed run named in its journals; a damaged journal names none."""
        try:
            names = self.files.names(JOURNALS)
        except FileNotFoundError:
            return []
        paths: list[str] = []
        for name in names:
            journal = f"{JOURNALS}/{name}"
            try:
                entries = _journal_entries(self.files.read(journal))
            except (UnsafePath, ValueError) as error:
                self._distrust(journal, "a journal", error, "the files it named count as yours")
                continue
            paths.extend(self._inside(journal, entries))
        return paths

    def _read_manifest(self) -> dict[str, str | None]:
        try:
            files = _manifest_files(self.files.read(MANIFEST))
        except FileNotFoundError:
            return {}
        except (UnsafePath, ValueError) as error:
            self._distrust(MANIFEST, "a manifest", error, "the files here count as yours")
            return {}
        inside = set(self._inside(MANIFEST, files))
        trusted = {
            path: digest
            for path, digest in files.items()
            if path in inside
            and (digest is None or (isinstance(digest, str) and _DIGEST.fullmatch(digest)))
        }
        misread = sorted(inside - trusted.keys())
        if misread:
            unread = ValueError(f"no digest for {shortened(misread, _NAMED)}")
            self._distrust(MANIFEST, "a manifest", unread, "they count as yours")
        return trusted

    def _inside(self, source: str, paths: Iterable[object]) -> Iterator[str]:
        """The paths that name a file of this folder outreach could have written; a warning
        names the others (outside the folder, `..`, absolute, through a link, outreach's own
        bookkeeping)."""
        ignored: list[str] = []
        reachable: dict[str, bool] = {}
        for path in paths:
            if isinstance(path, str) and _writable(path):
                folder = path.rpartition("/")[0]
                if folder not in reachable:
                    reachable[folder] = self.files.reachable(folder)
                if reachable[folder]:
                    yield path
                    continue
            ignored.append(json.dumps(path, ensure_ascii=False))
        if ignored:
            self.warnings.append(
                f"{self.root / source}: ignored {plural(len(ignored), 'entry')} naming no file "
                f"of this folder (outside it, or through a link): {shortened(ignored, _NAMED)}"
            )

    def _distrust(self, source: str, what: str, error: Exception, then: str) -> None:
        reason = error.reason if isinstance(error, UnsafePath) else str(error)
        self.warnings.append(
            f"{self.root / source}: not {what} outreach can read ({reason}); ignored: {then}"
        )

    def _edited(self, relative: str, digest: str) -> bool:
        try:
            return _digest(self.files.read(relative)) != digest
        except FileNotFoundError:
            return False
        except UnsafePath:  # a link, a folder: not the file outreach wrote
            return True

    def _scan(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The files in the folder, and the temporaries left with the name each was for."""
        existing: list[str] = []
        temporaries: list[tuple[str, str]] = []
        for relative in self.files.files(skip=frozenset({SCRATCH})):
            folder, slash, name = relative.rpartition("/")
            target = temporary_of(name)
            if target is not None:
                temporaries.append((relative, f"{folder}{slash}{target}"))
            elif relative not in (MANIFEST, LOCK, OUTCOMES):
                existing.append(relative)
        return existing, temporaries

    def _remove_temporaries(self, temporaries: list[tuple[str, str]], known: set[str]) -> None:
        """Remove what a killed run left half written: with the lock held, no run is writing.
        Only temporaries of files outreach writes here go; a user's `.x.1.tmp` stays."""
        for relative, target in temporaries:
            if target in known or target == MANIFEST:
                self.files.remove(relative)
                self.files.prune(relative)

    def _write_manifest(self, files: dict[str, str | None] | Iterator[str]) -> None:
        """Written entry by entry, in path order: a run of half a million files needs no copy
        of it as text."""
        entries = _entries(files) if isinstance(files, dict) else files
        with self.files.create(MANIFEST) as handle:
            handle.write(b'{\n "written_by": "outreach",\n "files": {')
            empty = True
            for entry in entries:
                handle.write(f"{'' if empty else ','}\n  {entry}".encode())
                empty = False
            handle.write(b"}\n}\n" if empty else b"\n }\n}\n")


def _reopened(root: Path, force: bool, foreign: frozenset[str]) -> OutputFolder:
    folder = OutputFolder(ConfinedFolder(root), force)
    folder.foreign = foreign
    return folder


@contextmanager
def output_folder(root: Path, force: bool = False) -> Iterator[OutputFolder]:
    """The folder, created if needed and locked for the run."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        files = ConfinedFolder(root)
    except OSError as error:
        raise OutputError(
            f"{root}: cannot create the output folder: {error.strerror or error}"
        ) from None
    try:
        with run_lock(files):
            yield OutputFolder(files, force)
    finally:
        files.close()


def _entries(files: dict[str, str] | dict[str, str | None]) -> list[str]:
    """`"path": "digest"` per file, sorted: the manifest's lines. Sorting the lines sorts by
    path, since the closing quote sorts before every character of the names outreach writes
    (slugs: letters, digits, `-`, `_`, `.` and `/`)."""
    return sorted(f"{json.dumps(path)}: {json.dumps(digest)}" for path, digest in files.items())


def _manifest_files(data: bytes) -> dict[str, object]:
    """The `files` object of a manifest; ValueError saying what is wrong with it."""
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict):
        raise ValueError('no "files" object')
    return files


def _journal_entries(data: bytes) -> list[object]:
    """A journal's entries, one JSON value a line; the last line of a killed writer may be
    cut short (it has no line end), any other that is not JSON is a ValueError."""
    *lines, _cut = data.split(b"\n")
    try:
        return [json.loads(line.decode("utf-8")) for line in lines]
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _writable(path: str) -> bool:
    """Whether `path` names a file outreach may write here: inside, and not its bookkeeping."""
    try:
        parts = path_parts(path)
    except UnsafePath:
        return False
    return parts[0] != SCRATCH and path not in (MANIFEST, LOCK, OUTCOMES)
