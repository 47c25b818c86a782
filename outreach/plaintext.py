"""A call script's Markdown as plain text, for calendar descriptions: clients show the text
as it is, so `**When:**` and `[+1 212](tel:…)` would read as noise."""

from __future__ import annotations

import re

_RULES = [
    (re.compile(r"\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*\)"), r"\1"),  # [text](link) → text
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),  # **bold**
    (re.compile(r"(?ms)^\*(?=\S)(.+?)(?<=\S)\*$"), r"\1"),  # lines in *italics*, one or several
    (re.compile(r"(?m)^# +(.*)$"), r"\1"),  # the title
    (re.compile(r"(?m)^> ?"), "    "),  # quotes, indented
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])"), r"\1"),  # Markdown escapes
]


_SECTION = re.compile(r"(?m)^#{2,6} +(.*)$")


def plain_text(markdown: str) -> str:
    for pattern, replacement in _RULES:
        markdown = pattern.sub(replacement, markdown)
    return _SECTION.sub(lambda heading: heading[1].upper(), markdown)  # sections stand out
