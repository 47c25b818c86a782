"""Safe, readable, bounded file names from untrusted CSV values."""

from __future__ import annotations

import re
import unicodedata

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
