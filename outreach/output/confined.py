"""A folder whose writes and deletions cannot leave it: every file is named by a path relative
to it, and no component of that path may be `..`, absolute, or a symbolic link.

Each folder on the way is opened without following links, and files are made and removed
relative to the open folder (the `*at` system calls), so a link planted anywhere, even
while a run goes on, is refused rather than followed. Files are written under a fresh random
name, created exclusively, and renamed over their final name: a file or link already at
either name is never written through. Where the system has no `*at` calls (Windows), each
folder is checked with `lstat` instead."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from outreach.errors import OutputError
from outreach.output.paths import UnsafePath, is_name, path_parts, temporary_name

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
"""Opening a named pipe planted where a file was expected must not wait for a writer."""
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_AT = {os.open, os.mkdir, os.rmdir, os.unlink, os.rename, os.stat} <= os.supports_dir_fd and (
    os.scandir in os.supports_fd
)
_OPEN_AT_ONCE = 32
"""Folders kept open: a run writes into a few at a time (a rep's scripts, drafts, calendar)."""


@dataclass(slots=True)
class _Folder:
    """An open folder: its descriptor where the `*at` calls exist, else its checked path."""

    fd: int | None
    path: str

    def at(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.path, name)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


class ConfinedFolder:
    """Reads, writes and removes files below `root` (itself trusted: the user named it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC) if _AT else None
        self._top = _Folder(fd, os.fspath(root))
        self._open: OrderedDict[str, _Folder] = OrderedDict()

    def close(self) -> None:
        for folder in self._open.values():
            folder.close()
        self._open.clear()
        self._top.close()

    # Writing

    def write(self, relative: str, data: bytes) -> None:
        """One whole file, atomically: it appears under its name complete, or not at all."""
        folder, name = self._split(relative, create=True)
        temporary = temporary_name(name)
        try:
            descriptor = self._create(folder, temporary)
        except OSError as error:
            raise self._cannot("write", relative, error) from None
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
            self._rename(folder, temporary, name)
        except OSError as error:
            with suppress(OSError):
                os.unlink(folder.at(temporary), dir_fd=folder.fd)
            raise self._cannot("write", relative, error) from None

    @contextmanager
    def create(self, relative: str) -> Iterator[BinaryIO]:
        """A file written piece by piece, that appears under its name only once complete."""
        folder, name = self._split(relative, create=True)
        temporary = temporary_name(name)
        own = folder
        try:
            # Its own hold on the folder: others may close the shared one while this is open.
            own = _Folder(os.dup(folder.fd), "") if folder.fd is not None else folder
            descriptor = self._create(own, temporary)
        except OSError as error:
            if own is not folder:
                own.close()
            raise self._cannot("write", relative, error) from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                yield handle
            self._rename(own, temporary, name)
        except BaseException as error:
            with suppress(OSError):
                os.unlink(own.at(temporary), dir_fd=own.fd)
            if isinstance(error, OSError):
                raise self._cannot("write", relative, error) from None
            raise
        finally:
            if own is not folder:
                own.close()

    @contextmanager
    def append(self, relative: str) -> Iterator[BinaryIO]:
        """A plain file to add to at its end, made if missing; UnsafePath if something else
        is there (a link, a named pipe, a file with other names)."""
        folder, name = self._split(relative, create=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC
        try:
            descriptor = os.open(folder.at(name), flags, 0o644, dir_fd=folder.fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK, errno.EISDIR, errno.ENXIO):
                raise self._unsafe(relative) from None
            raise self._cannot("write", relative, error) from None
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(descriptor)
            raise self._unsafe(relative)
        with os.fdopen(descriptor, "ab") as handle:
            yield handle

    # Reading

    def open(self, relative: str) -> BinaryIO:
        """A regular file, not through any link; FileNotFoundError if it is not there,
        UnsafePath if something else is (a link, a folder, a named pipe)."""
        folder, name = self._split(relative, create=False)
        flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC
        try:
            descriptor = os.open(folder.at(name), flags, dir_fd=folder.fd)
        except FileNotFoundError:
            raise
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK, errno.EISDIR):
                raise self._unsafe(relative) from None
            raise self._cannot("read", relative, error) from None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise self._unsafe(relative)
        return os.fdopen(descriptor, "rb")

    def read(self, relative: str) -> bytes:
        with self.open(relative) as handle:
            return handle.read()

    def names(self, relative: str) -> list[str]:
        """The names in the folder at `relative`, sorted; FileNotFoundError if it is not there."""
        folder = self._folder(relative, create=False)
        with os.scandir(folder.fd if folder.fd is not None else folder.path) as entries:
            return sorted(entry.name for entry in entries)

    def reachable(self, relative: str) -> bool:
        """Whether the way to the folder `relative` holds no link and no file (it need not
        exist)."""
        try:
            self._folder(relative, create=False)
        except FileNotFoundError:
            return True
        except UnsafePath:
            return False
        return True

    def files(self, skip: frozenset[str] = frozenset()) -> Iterator[str]:
        """Every entry below the folder that is not a folder (links to files included), as a
        relative path; the top-level names in `skip` are passed over. UnsafePath for a
        symbolic link to a folder: what lies beyond it is not the folder's."""
        yield from self._files(os.fspath(self.root), "", skip)

    def _files(self, path: str, prefix: str, skip: frozenset[str]) -> Iterator[str]:
        with os.scandir(path) as entries:
            found = sorted(entries, key=lambda entry: entry.name)
        for entry in found:
            if not prefix and entry.name in skip:
                continue
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                yield from self._files(entry.path, f"{relative}/", skip)
            elif entry.is_symlink() and entry.is_dir():
                raise self._unsafe(relative, folder=True)
            else:
                yield relative

    # Removing

    def remove(self, relative: str) -> bool:
        """Remove a file, or a link itself (never what it points to); a folder stays. Whether
        something was removed."""
        try:
            folder, name = self._split(relative, create=False)
            if stat.S_ISDIR(
                os.stat(folder.at(name), dir_fd=folder.fd, follow_symlinks=False).st_mode
            ):
                return False
            os.unlink(folder.at(name), dir_fd=folder.fd)
        except FileNotFoundError:
            return False
        except UnsafePath:
            raise
        except OSError as error:
            raise self._cannot("remove", relative, error) from None
        return True

    def remove_tree(self, relative: str) -> None:
        """A folder and all in it; the links inside go, never what they point to. Nothing
        happens to a link or a file at `relative` itself."""
        self._forget(relative)
        shutil.rmtree(self._top.at(relative), ignore_errors=True, dir_fd=self._top.fd)

    def prune(self, relative: str) -> None:
        """Remove the folders above `relative` that are empty, up to the top."""
        parts = path_parts(relative)[:-1]
        while parts:
            parent = "/".join(parts[:-1])
            try:
                folder = self._folder(parent, create=False)
                self._forget("/".join(parts))
                os.rmdir(folder.at(parts[-1]), dir_fd=folder.fd)
            except OSError:
                return
            parts.pop()

    # The lock

    def open_lock(self, name: str) -> int:
        """A descriptor on the plain file `name` at the top, made if missing. UnsafePath if
        `name` is a link, or a file with other names: the lock file is truncated."""
        flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC
        try:
            descriptor = os.open(self._top.at(name), flags, 0o644, dir_fd=self._top.fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK):
                raise self._unsafe(name) from None
            raise self._cannot("create", name, error) from None
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(descriptor)
            raise self._unsafe(name)
        return descriptor

    def holds(self, name: str, descriptor: int) -> bool:
        """Whether `name` at the top is still the file open as `descriptor`."""
        try:
            info = os.stat(self._top.at(name), dir_fd=self._top.fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return os.path.samestat(info, os.fstat(descriptor))

    def unlink_top(self, name: str) -> None:
        with suppress(OSError):
            os.unlink(self._top.at(name), dir_fd=self._top.fd)

    # Folders

    def _split(self, relative: str, create: bool) -> tuple[_Folder, str]:
        """The folder of `relative`, open, and the file's name in it. The hot path of a run:
        a folder already open was checked when it was opened, so only the name is."""
        folder, _, name = relative.rpartition("/")
        if not is_name(name):
            raise UnsafePath(f"{relative!r} is not a path inside the output folder")
        known = self._open.get(folder)
        if known is not None:
            self._open.move_to_end(folder)
            return known, name
        if folder:
            path_parts(folder)
        return self._folder(folder, create), name

    def _folder(self, relative: str, create: bool) -> _Folder:
        """The folder at `relative`, opened component by component without following links
        (and made, with `create`)."""
        if not relative:
            return self._top
        known = self._open.get(relative)
        if known is not None:
            self._open.move_to_end(relative)
            return known
        parent_path, _, name = relative.rpartition("/")
        parent = self._folder(parent_path, create)
        folder = self._enter(parent, name, relative, create)
        self._open[relative] = folder
        if len(self._open) > _OPEN_AT_ONCE:
            self._open.popitem(last=False)[1].close()
        return folder

    def _enter(self, parent: _Folder, name: str, relative: str, create: bool) -> _Folder:
        for attempt in (1, 2):
            try:
                if parent.fd is not None:
                    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
                    return _Folder(os.open(name, flags, dir_fd=parent.fd), "")
                path = os.path.join(parent.path, name)
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    raise self._unsafe(relative, folder=True)
                return _Folder(None, path)
            except FileNotFoundError:
                if not create or attempt == 2:
                    raise
                with suppress(FileExistsError):  # made meanwhile: opened (and checked) next
                    os.mkdir(parent.at(name), 0o777, dir_fd=parent.fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
                    raise self._unsafe(relative, folder=True) from None
                raise self._cannot("open the folder", relative, error) from None
        raise AssertionError("unreachable")

    def _forget(self, relative: str) -> None:
        """Close the open folders at and below `relative`, before it is removed."""
        for known in [k for k in self._open if k == relative or k.startswith(f"{relative}/")]:
            self._open.pop(known).close()

    # Files

    @staticmethod
    def _create(folder: _Folder, name: str) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
        return os.open(folder.at(name), flags, 0o644, dir_fd=folder.fd)

    @staticmethod
    def _rename(folder: _Folder, source: str, target: str) -> None:
        """Replaces whatever is at `target`, a link included (not what it points to)."""
        os.replace(folder.at(source), folder.at(target), src_dir_fd=folder.fd, dst_dir_fd=folder.fd)

    def _unsafe(self, relative: str, folder: bool = False) -> UnsafePath:
        """Says what is in the way at `relative`, where a file (or a `folder`) should be."""
        path = self.root / relative
        if os.path.islink(path):
            what = "is a symbolic link"
        elif folder:
            what = "is not a folder"
        elif os.path.isdir(path):
            what = "is a folder, where outreach keeps a file"
        elif os.path.isfile(path) and os.stat(path).st_nlink > 1:
            what = "is a file with other names (hard links)"
        else:
            what = "is not a plain file"
        return UnsafePath(
            f"{path}: {what}; outreach writes only into plain files and folders inside the "
            "output folder: remove it, or choose another --out",
            what,
        )

    def _cannot(self, what: str, relative: str, error: OSError) -> OutputError:
        return OutputError(f"{self.root / relative}: cannot {what}: {error.strerror or error}")
