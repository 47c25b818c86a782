"""Text from cells as a terminal or a message may show it, and the words messages count with."""

from __future__ import annotations

from collections.abc import Sequence

SHOWN = 60
"""Most characters of a cell a message repeats: the rest of a 10,000-character cell is noise."""


def terminal_text(text: str) -> str:
    """A value as a terminal may print it: control and format characters (escape sequences,
    bidi overrides) as Python writes them escaped, so a CSV cell cannot move the cursor,
    retitle the window or reorder the line it is printed in."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def terminal_lines(text: str) -> str:
    """Lines of text (a call script) for a terminal: each line as terminal_text prints it."""
    if text.isprintable():
        return text
    return "\n".join(map(terminal_text, text.split("\n")))


def shown(text: str, limit: int = SHOWN) -> str:
    """text, cut to limit characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, noun: str) -> str:
    """`1 call`, `2 calls`, `3 apologies`."""
    return f"{count} {noun_for(count, noun)}"


def noun_for(count: int, noun: str) -> str:
    """The noun for `count` of them, without the count: `column`, `columns`, `entries`."""
    if count == 1:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return f"{noun[:-1]}ies"
    return f"{noun}s"


def and_more(total: int, listed: int) -> str:
    """` and 4 more`, when `listed` of `total` items were named; empty when all were."""
    return f" and {total - listed} more" if total > listed else ""


def shortened(items: Sequence[str], limit: int, separator: str = ", ") -> str:
    """`a, b, c and 4 more`: the first `limit` items, then how many more there are."""
    return separator.join(items[:limit]) + and_more(len(items), limit)
