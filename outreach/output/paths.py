"""Paths inside the output folder: the names outreach accepts there, and the temporary names
files are written under before they are renamed into place."""

from __future__ import annotations

import itertools
import os
import re
import secrets

from outreach.errors import OutputError


class UnsafePath(OutputError):
    """A path that would leave the folder, or go through a symbolic link or a file."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        """What is wrong, without the path: `is a symbolic link`."""


def path_parts(relative: str) -> list[str]:
    """The components of a path inside the folder, as outreach writes them (`a/b.md`);
    UnsafePath for anything else: empty, absolute, `.` or `..`, backslashes, NUL, drives."""
    parts = relative.split("/")
    if not all(map(is_name, parts)):
        raise UnsafePath(f"{relative!r} is not a path inside the output folder")
    return parts


def is_name(part: str) -> bool:
    """Whether `part` names an entry of a folder, on every system (`C:` is a drive)."""
    return part not in ("", ".", "..") and "\\" not in part and "\0" not in part and ":" not in part


_token = secrets.token_hex(4)
_count = itertools.count()


def temporary_name(name: str) -> str:
    """`.<name>.<random><n>.tmp`: nobody can plant a file or link there in advance (the
    random part is drawn once per process: a system call per file costs)."""
    return f".{name}.{_token}{next(_count):x}.tmp"


def _new_token() -> None:
    global _token
    _token = secrets.token_hex(4)


if hasattr(os, "register_at_fork"):  # a forked worker draws its own
    os.register_at_fork(after_in_child=_new_token)


_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]+\.tmp")


def temporary_of(name: str) -> str | None:
    """The name a temporary file (see `temporary_name`) was to become; None for other names."""
    found = _TEMPORARY.fullmatch(name)
    return found.group(1) if found else None
