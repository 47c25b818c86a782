"""`outreach init`: a starter settings file, editable templates and a contacts file to replace."""

from __future__ import annotations

import importlib.resources
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from outreach.errors import OutputError
from outreach.render.templates import builtin_templates_dir

STARTER_CONFIG = "starter.toml"
EXAMPLE_CONTACTS = "contacts.example.csv"


def example_contacts() -> bytes:
    """The example accounts: shipped inside the package, or at the top of a source checkout."""
    shipped = importlib.resources.files("outreach") / EXAMPLE_CONTACTS
    if shipped.is_file():
        return shipped.read_bytes()
    return (Path(__file__).resolve().parents[2] / EXAMPLE_CONTACTS).read_bytes()


def starter_files() -> dict[str, bytes]:
    """Relative path → content of everything `init` writes."""
    files = {
        "outreach.toml": (importlib.resources.files("outreach") / STARTER_CONFIG).read_bytes(),
        "contacts.csv": example_contacts(),
    }
    for template in sorted(builtin_templates_dir().glob("*.j2")):
        if template.name.endswith((".md.j2", ".txt.j2")):  # the call scripts and the invitation
            files[f"templates/{template.name}"] = template.read_bytes()
    return files


@dataclass
class InitResult:
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init_folder(folder: Path) -> InitResult:
    """Write the starter files into `folder`, never replacing one that is there already.
    A fault of the system (read-only, disk full) stops it with what was written kept: the
    same command run again after the fix writes the rest."""
    result = InitResult()
    for relative, content in starter_files().items():
        target = folder / relative
        if target.exists():
            result.kept.append(target)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as handle:  # "x": a file that appeared meanwhile is not replaced
                handle.write(content)
        except FileExistsError:  # a broken link, or a file where a folder should be
            raise OutputError(
                f"{_in_the_way(target, folder)}; move it away, or choose another folder"
            ) from None
        except OSError:
            with suppress(OSError):  # no half file, that a rerun would keep
                target.unlink()
            raise
        result.written.append(target)
    return result


def _in_the_way(target: Path, folder: Path) -> str:
    """What stops `target` from being written: the first path on its way that is a broken
    symbolic link or a file."""
    for path in [*reversed(target.relative_to(folder).parents), Path(target.relative_to(folder))]:
        here = folder / path
        if here.is_symlink() and not here.exists():
            return f"{here}: a symbolic link to {os.readlink(here)}, which does not exist"
        if here != target and here.exists() and not here.is_dir():
            return f"{here}: a file where a folder should be"
    return f"{target}: already there"
