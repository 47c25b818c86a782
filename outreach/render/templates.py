"""The one Jinja environment scripts are rendered with, and its errors as `file:line: message`.

User templates are code we did not write: they run in an immutable sandbox, can only load
templates from the user's folder and the built-ins, and every failure becomes a TemplateError.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import posixpath
import stat
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from outreach.errors import TemplateError
from outreach.render.filters import FILTERS

BUILTIN_PREFIX = "builtin"
"""`{% extends "builtin/apology.md.j2" %}` reaches a built-in even where a user's file shadows it."""


def builtin_templates_dir() -> Path:
    """`outreach/templates` in an installed wheel; the repository's `templates/` otherwise."""
    installed = importlib.resources.files("outreach") / "templates"
    if isinstance(installed, Path) and installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates"


class MissingVariable(jinja2.UndefinedError):
    """Raised when a template uses a variable the context lacks; carries the variable's name."""

    def __init__(self, name: str | None, message: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class _StrictUndefined(StrictUndefined):
    """StrictUndefined whose error carries the missing name, so the message can explain it."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        super().__init__(hint, obj, name, exc)
        if hint is None and exc is jinja2.UndefinedError:  # not the sandbox's "unsafe" refusal
            self._undefined_exception = partial(MissingVariable, name)  # type: ignore[assignment]


class _FolderLoader(FileSystemLoader):
    """Templates from one folder, and only from it: a file whose real path lies outside (a
    symbolic link in a shared or cloned templates folder) is refused before it is read."""

    def __init__(self, folder: str) -> None:
        super().__init__(folder)
        self.folder = folder
        self._real = os.path.join(os.path.realpath(folder), "")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # `..` and empty segments are refused here; joined with posixpath, so neither a
        # drive nor an absolute path can leave the folder either.
        filename = posixpath.join(self.folder, *split_template_path(template))
        if not os.path.isfile(filename):
            raise jinja2.TemplateNotFound(template)
        if not os.path.realpath(filename).startswith(self._real):
            raise jinja2.TemplateError(
                f"template {template!r} leads outside its folder {self.folder} (a link); "
                "copy the file into the folder instead"
            )
        with open(filename, encoding=self.encoding) as handle:
            contents = handle.read()
        modified = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == modified
            except OSError:
                return False

        return contents, os.path.normpath(filename), uptodate


class TemplateFinder:
    """Loads templates from the user's folder first, then the built-ins, and names their files."""

    def __init__(self, templates_dir: Path | None) -> None:
        if templates_dir is not None and not templates_dir.is_dir():
            raise TemplateError(f"{templates_dir}: not a folder of templates")
        self.user_dir = templates_dir
        self._roots: list[tuple[str, Path | None]] = []
        builtin = _FolderLoader(self._root(builtin_templates_dir(), None))
        loaders: list[jinja2.BaseLoader] = [builtin, PrefixLoader({BUILTIN_PREFIX: builtin})]
        if templates_dir is not None:
            loaders.insert(0, _FolderLoader(self._root(templates_dir, templates_dir)))
        self.loader = ChoiceLoader(loaders)

    def _root(self, folder: Path, shown_as: Path | None) -> str:
        root = os.path.abspath(folder)
        self._roots.insert(0, (root, shown_as))
        return root

    def display_name(self, filename: str | None, fallback: str) -> str:
        """A user's file by its path as they gave the folder; a built-in by its name."""
        for root, shown_as in self._roots:
            if filename and filename.startswith(root + os.sep):
                relative = os.path.relpath(filename, root)
                return str(shown_as / relative) if shown_as is not None else relative
        return fallback

    def is_template_file(self, filename: str) -> bool:
        return any(filename.startswith(root + os.sep) for root, _ in self._roots)

    def sources_digest(self) -> str:
        """A digest of every file a template can load: any edit to one changes it. A link
        counts by where it points, and is not followed: what it leads to inside the folders
        counts by itself, and nothing outside them is read."""
        digest = hashlib.sha256()
        for root, _ in self._roots:
            for folder, folders, names in os.walk(root):
                folders.sort()
                for name in sorted(names):
                    path = os.path.join(folder, name)
                    kind = os.lstat(path).st_mode
                    if stat.S_ISLNK(kind):
                        content = os.readlink(path).encode()
                    elif stat.S_ISREG(kind):  # not a named pipe, which would never end
                        with open(path, "rb") as handle:
                            content = handle.read()
                    else:
                        continue
                    digest.update(f"{os.path.relpath(path, root)}\0{len(content)}\0".encode())
                    digest.update(content)
        return digest.hexdigest()


def make_environment(finder: TemplateFinder) -> jinja2.Environment:
    """The sandbox where the user gave templates of their own; a plain environment for the
    built-ins alone, which are ours: the sandbox checks every attribute a template reads, and
    that was a third of the time a script took."""
    kind = jinja2.Environment if finder.user_dir is None else ImmutableSandboxedEnvironment
    environment = kind(
        loader=finder.loader,
        undefined=_StrictUndefined,
        autoescape=False,  # Markdown and plain text; values are made Markdown-safe in the context
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates do not change during a run; skip a stat per render
        cache_size=-1,
        finalize=_never_none,
    )
    environment.filters.update(FILTERS)
    return environment


def _never_none(value: Any) -> Any:
    """An empty cell that a template prints without testing it prints as nothing, not `None`."""
    return "" if value is None else value


def template_error(
    error: BaseException,
    finder: TemplateFinder,
    hidden: Mapping[str, str],
    name: str,
) -> TemplateError:
    """`file:line: message` for an error raised while loading or rendering template `name`.

    `hidden` maps variables kept from this play on purpose to the reason, for the message."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = finder.display_name(error.filename, error.name or name)
        return TemplateError(f"{where}:{error.lineno}: {error.message}")
    filename, line = _template_frame(error.__traceback__, finder)
    where = finder.display_name(filename, name)
    if line is not None:
        where = f"{where}:{line}"
    return TemplateError(f"{where}: {_describe(error, hidden)}")


def _describe(error: BaseException, hidden: Mapping[str, str]) -> str:
    if isinstance(error, MissingVariable):
        if error.name is None:
            return "a value is undefined (an inline `if` without an `else`?)"
        if error.name in hidden:
            return f"{error.name!r} is not available to {hidden[error.name]}"
        return f"{error.name!r} is undefined"
    if isinstance(error, jinja2.TemplateNotFound | jinja2.TemplatesNotFound):
        return f"template {error.name!r} not found in the templates folder or the built-ins"
    if isinstance(error, jinja2.TemplateError):
        return str(error.message or error)
    return f"{type(error).__name__}: {error}"


def _template_frame(
    traceback: TracebackType | None, finder: TemplateFinder
) -> tuple[str | None, int | None]:
    """The innermost traceback frame that runs template code: Jinja rewrites those frames
    so that they carry the template's file name and line."""
    found: tuple[str | None, int | None] = (None, None)
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if finder.is_template_file(filename):
            found = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    return found
