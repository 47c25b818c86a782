"""The one exception family the command line turns into `Error: …` and an exit status."""

from __future__ import annotations

import errno
import os
import tempfile
import time
import traceback
from pathlib import Path


class OutreachError(Exception):
    """A problem the user can fix; its message is shown as it is, without a traceback."""

    exit_code = 2


class InputError(OutreachError):
    """A whole input file cannot be used: missing, unreadable, no header, required column absent."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


class ConfigError(OutreachError):
    """The configuration file has an unknown key, a wrong type or a bad value."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}")
        self.path = str(path)
        self.key = key


class TemplateError(OutreachError):
    """A template cannot be loaded or rendered: syntax error, unknown variable, forbidden field."""


class OutputError(OutreachError):
    """The output folder cannot be written safely: foreign files, a concurrent run, a bad path."""


INTERNAL_ERROR = 70
"""Exit status of a bug in outreach: EX_SOFTWARE of sysexits.h, distinct from 1 and 2."""

_FAULT_HINTS = {
    errno.ENOSPC: "the disk is full: free some space, then run the same command again",
    errno.EDQUOT: "the disk quota is used up: free some space, then run the same command again",
    errno.EFBIG: "the file is larger than this system lets you write (ulimit -f): "
    "raise the limit, then run the same command again",
    errno.EACCES: "permission denied: change the permissions or choose another path, "
    "then run the same command again",
    errno.EPERM: "not permitted: change the permissions or choose another path, "
    "then run the same command again",
    errno.EROFS: "a read-only file system: choose a path you can write to",
}


def fault_hint(error: BaseException) -> str | None:
    """What to do about a fault of the system (disk full, permission denied) that `error` is,
    or that an OutreachError was raised from; None for anything else."""
    fault = error if isinstance(error, OSError) else error.__context__
    if isinstance(fault, OSError) and fault.errno is not None:
        return _FAULT_HINTS.get(fault.errno)
    return None


def explained(error: OutreachError) -> str:
    """The error's message, and what to do when a fault of the system lies behind it."""
    hint = fault_hint(error)
    return str(error) if hint is None or hint in str(error) else f"{error}; {hint}"


def system_fault(error: OSError) -> OutreachError:
    """An OSError that reached the top: the system's fault, named with its path and a hint."""
    where = os.fsdecode(error.filename) if error.filename is not None else "outreach"
    reason = error.strerror or str(error)
    hint = fault_hint(error) or "fix it, then run the same command again"
    return OutreachError(f"{where}: {reason}; {hint}")


def bug_report(error: BaseException) -> tuple[str, str]:
    """A bug's one-line summary and its full traceback (a worker's included)."""
    details = "".join(traceback.format_exception(error))  # a worker's: the cause, as text
    summary = "".join(traceback.format_exception_only(error)).strip().splitlines()
    return (summary[-1] if summary else type(error).__name__), details


def save_bug_report(details: str) -> Path:
    """The traceback, in a new file of the system's temporary folder, for a bug report."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    descriptor, name = tempfile.mkstemp(prefix=f"outreach-bug-{stamp}-", suffix=".txt")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(details)
    return Path(name)
