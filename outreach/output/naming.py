"""Safe, readable, bounded file names from untrusted CSV values, and the paths of a run's
calendars and scripts, unique even on a case-insensitive file system."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from outreach.model.plan import Call

MAX_PART = 40
# Letters that do not decompose into an ASCII letter and a mark.
_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i"})  # fmt: skip
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Names Windows refuses whatever the extension (CON.md is as bad as CON).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def slug(text: str, fallback: str = "unnamed") -> str:
    """`Jürgen Weiß / ../etc` → `jurgen-weiss-etc`: ASCII letters, digits and dashes only."""
    folded = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    folded = folded.encode("ascii", "ignore").decode()
    words = _NOT_WORD.sub("-", folded.casefold()).strip("-")
    words = words[:MAX_PART].rstrip("-") or fallback
    return f"{words}-" if words in _RESERVED else words


def unique_paths(named: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Key → path from (key, path, tie-breaker): a path two keys would share gets the
    tie-breaker appended to the later one, so names stay readable and never collide."""
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for key, path, tie in named:
        while path.casefold() in taken:  # case-insensitive file systems (macOS, Windows) too
            stem, dot, extension = path.rpartition(".")
            path = f"{stem}-{tie}{dot}{extension}"
        taken.add(path.casefold())
        paths[key] = path
    return paths


def calendar_paths(reps: Iterable[str]) -> dict[str, str]:
    """Rep → `calendars/<name>.ics`; the name also names the folders of the rep's scripts."""
    return unique_paths((rep, f"calendars/{slug(rep)}.ics", _short_hash(rep)) for rep in reps)


def script_paths(folder: str, calls: Iterable[Call]) -> dict[str, str]:
    """Call id → `scripts/<rep>/<date>_<company>_<contact>_<play>.md`, for one rep's calls
    in plan order."""
    return unique_paths(
        (
            call.id,
            f"scripts/{folder}/{call.start.date().isoformat()}_{slug(call.contact.company)}_"
            f"{slug(call.contact.contact_name)}_{call.play}.md",
            call.id[:8],
        )
        for call in calls
    )


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
