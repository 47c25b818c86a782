"""A call script's Markdown as plain text, for calendar descriptions: clients show the text
as it is, so `**When:**` and `[+1 212](tel:…)` would read as noise.

Scripts carry CSV values, so every rule runs in time linear in the text whatever its
characters (tests/test_hostile_edges.py holds each to that): a pattern may scan from a
candidate start only up to the next character that could start another candidate (the next
`[`, `*`, `_`, backtick or newline), so no stretch of text is scanned twice, and no two
adjacent quantifiers can split the same run of characters in more than one way. A full
Markdown parser would cost ten times the budget of a whole call."""

from __future__ import annotations

import re
from collections.abc import Callable

_Replacement = str | Callable[[re.Match[str]], str]


def _group(number: int) -> Callable[[re.Match[str]], str]:
    return lambda match: match[number]


# Emphasis opens after a space, an opening bracket or quote, and closes before a space or a
# punctuation mark: narrower than CommonMark, so that `3 * 4`, snake_case, 2*3*4 and code
# such as `x.__class__.__name__` in a value stay as typed.
_GLUED = "[^\\s(\\[{\"'“‘]"
"""A character right before an emphasis mark that keeps it from opening."""
_FOLLOWED = "[^\\s.,;:!?)\\]}\"'”’]"
"""A character right after an emphasis mark that keeps it from closing."""

# Every line-start rule looks for a newline (the text gets one in front for its first line):
# a pattern that begins with a literal is found by a fast scan, where `(?m)^` is tried at
# every character. This runs once per call, on a script of about 6 KB. A rule whose
# character the script lacks is not run at all: looking for one character is far cheaper
# than a regex pass (and than looking for two).
_LINK = r"\[((?:[^\[\]\\\n]++|\\.)*+)\]\((?:[^()\s\\]++|\\.|\([^()\s]*+\))*+\)"
_RULES: list[tuple[str, re.Pattern[str], _Replacement]] = [
    # Fence lines of a code block go; the code stays.
    ("`", re.compile(r"\n`{3,}[^\n]*"), "\n"),
    ("~", re.compile(r"\n~{3,}[^\n]*"), "\n"),
    # `code`: a run of backticks opens, the same run closes, no backtick between.
    ("`", re.compile(r"(`(?<![`\\]`)`*+)([^`\n]+)\1(?!`)"), _group(2)),
    # ![alt](image) and [text](link): the text, which holds no unescaped bracket. A pattern
    # that opens with a literal is found by a fast scan, so images and links are two rules.
    ("!", re.compile(r"!(?<!\\!)" + _LINK), _group(1)),
    ("[", re.compile(r"\[(?<!\\\[)" + _LINK[2:]), _group(1)),
    # **bold**: opener and closer are the same token, so a line holds at most one opener
    # without a closer, and its scan ends at the line's end.
    ("*", re.compile(r"\*\*(?<!\\\*\*)(.+?)\*\*"), _group(1)),
    (
        "_",
        re.compile(rf"__(?<!{_GLUED}__)([^\s_](?:[^_\n]*[^\s_\\])?)__(?!{_FOLLOWED})"),
        _group(1),
    ),
    # Lines in *italics*, one or several: a line opens with a star and a non-space, and the
    # first star after it that ends a line and follows a non-space closes. No line inside
    # opens with a star, so a scan ends at the next candidate.
    (
        "*",
        re.compile(r"\n\*(\S(?:[^*\n]++|\n(?!\*)|\*(?!\n|\Z)|(?<=\s)\*)*+)(?<=\S)\*(?=\n|\Z)"),
        lambda match: "\n" + match[1],
    ),
    # * and + bullets read as - bullets.
    ("", re.compile(r"\n([ \t]*)[*+](?=[ \t])"), lambda match: f"\n{match[1]}-"),
    # *emphasis* and _emphasis_ inside a line, no star or underscore inside.
    (
        "*",
        re.compile(rf"\*(?<!{_GLUED}\*)([^\s*](?:[^*\n]*[^\s*\\])?)\*(?!{_FOLLOWED})"),
        _group(1),
    ),
    ("_", re.compile(rf"_(?<!{_GLUED}_)([^\s_](?:[^_\n]*[^\s_\\])?)_(?!{_FOLLOWED})"), _group(1)),
    ("#", re.compile(r"\n# +"), "\n"),  # the title
    (">", re.compile(r"\n> ?"), "\n    "),  # quotes, indented
    ("\\", re.compile(r"\\([!-/:-@\[-`{-~])"), _group(1)),  # escaped ASCII punctuation
]
_SECTION = re.compile(r"\n#{2,6} +([^\n]*)")


def plain_text(markdown: str) -> str:
    text = "\n" + markdown
    for needle, pattern, replacement in _RULES:
        if needle in text:
            text = pattern.sub(replacement, text)
    return _SECTION.sub(lambda heading: "\n" + heading[1].upper(), text)[1:]  # sections stand out
