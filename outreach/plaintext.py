"""A call script's Markdown as plain text, for calendar descriptions: clients show the text
as it is, so `**When:**` and `[+1 212](tel:…)` would read as noise."""

from __future__ import annotations

import re
from collections.abc import Callable

# Every line-start rule looks for a newline (the text gets one in front for its first line):
# a pattern that begins with a literal is found by a fast scan, where `(?m)^` is tried at
# every character. This runs once per call, on a script of about 6 KB.
# The text opens with a non-space; the closing star is the first after that character that
# ends a line and follows a non-space.
_ITALIC_LINES = re.compile(r"\n\*(\S(?:[^*]++|\*(?!\n|\Z)|(?<=\s)\*)*+)(?<=\S)\*(?=\n|\Z)")
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # [text](link); not an escaped `\[`, which a CSV value's brackets all are (context.py)
    (re.compile(r"(?<!\\)\[((?:[^\]\\\n]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*\)"), lambda m: m[1]),
    (re.compile(r"\*\*(.+?)\*\*"), lambda m: m[1]),  # **bold**
    # Lines in *italics*, one or several: the closing star ends a line.
    (_ITALIC_LINES, lambda m: "\n" + m[1]),
    (re.compile(r"\n# +"), "\n"),  # the title
    (re.compile(r"\n> ?"), "\n    "),  # quotes, indented
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])"), lambda m: m[1]),  # Markdown escapes
]
_SECTION = re.compile(r"\n#{2,6} +([^\n]*)")


def plain_text(markdown: str) -> str:
    text = "\n" + markdown
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _SECTION.sub(lambda heading: "\n" + heading[1].upper(), text)[1:]  # sections stand out
