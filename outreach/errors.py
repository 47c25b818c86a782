"""The one exception family the command line turns into `Error: …` and an exit status."""

from __future__ import annotations

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
