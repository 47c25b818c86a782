"""One run at a time per output folder: a lock the operating system holds for the run."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.errors import OutputError
from outreach.output.confined import ConfinedFolder

LOCK = ".outreach.lock"


@contextmanager
def run_lock(files: ConfinedFolder) -> Iterator[None]:
    """An exclusive lock on the folder for one run, held by the operating system.

    The lock file names the PID of the run holding it, for people; the lock itself is an
    advisory file lock, which dies with its process. So a run that was killed never locks
    the folder for good, and of several runs that start at the same instant exactly one
    gets it (judging a lock file by its PID and replacing it let two in)."""
    descriptor = _acquire(files)
    try:
        yield
    finally:
        _release(files, descriptor)


def _acquire(files: ConfinedFolder) -> int:
    while True:
        descriptor = files.open_lock(LOCK)  # a plain file of one name: it is truncated
        if not _try_lock(descriptor):
            os.close(descriptor)
            raise OutputError(
                f"{files.root}: another outreach run is writing here ({files.root / LOCK}); "
                "wait for it to finish"
            )
        # The holder we waited on may have removed the file and another run made a new one:
        # a lock on a file that is no longer at the path locks nothing.
        if files.holds(LOCK, descriptor):
            break
        os.close(descriptor)
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode())
    return descriptor


def _release(files: ConfinedFolder, descriptor: int) -> None:
    if sys.platform == "win32":  # an open file cannot be removed: close it first
        os.close(descriptor)
        files.unlink_top(LOCK)
    else:  # removed while still locked, so no run can take a lock on the departing file
        files.unlink_top(LOCK)
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
