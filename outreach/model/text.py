"""Text from cells as a terminal or a message may show it."""

from __future__ import annotations

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
