"""Hostile sizes and edges (issue 14, points 2 and 3).

Cost is linear in the input whatever its characters: every regular expression that runs on a
CSV value or a script is run on ~100 KB of the characters that make patterns backtrack, and
its time must grow with the text, not with its square. Reading holds one bounded row in
memory, however long a line is. Dates, numbers and settings at the edges of their ranges
reject the row (or name the option or the settings key), never crash a later step."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from outreach import values
from outreach.campaign import parse_quarter
from outreach.columns import normalize_header
from outreach.context import markdown_text
from outreach.csvrows import _Quotes
from outreach.filters import tel
from outreach.plaintext import plain_text

# Cost grows linearly: text 8 times as long may cost up to 3 times 8 as much (machine noise,
# several tests sharing two cores), where a quadratic pattern costs 64 times as much.
GROWTH = 8
MARGIN = 3
SMALLEST = 0.0005
"""Seconds below which a measure is mostly noise: the base of the comparison is at least this."""
RUNAWAY = 2.0
"""Seconds after which a pass is taken for a runaway and not repeated (a linear pass over
100 KB takes milliseconds): the test then fails at once instead of running for minutes."""


def _cost(run: Callable[[str], object], text: str) -> float:
    """The least processor time of a few runs of run(text): the one with the least noise."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        with contextlib.suppress(ValueError):  # a parser refusing the text is a result too
            run(text)
        spent = time.process_time() - started
        best = min(best, spent)
        if spent > RUNAWAY:
            break
    return best


def assert_linear(
    run: Callable[[str], object], make: Callable[[int], str], size: int = 12_500
) -> None:
    """run(make(n)) costs time linear in n: checked at n, 2n, 4n and 8n, with make(n) about
    `size` characters long."""
    n = max(1, size // max(1, len(make(1))))
    base = _cost(run, make(n))
    assert base < RUNAWAY, f"{base:.1f} s on {len(make(n)):,} characters"
    for times in (2, 4, GROWTH):
        cost = _cost(run, make(times * n))
        assert cost < MARGIN * times * max(base, SMALLEST), (
            f"{times} times the text costs {cost / base:.0f} times as much "
            f"({base * 1e3:.2f} ms → {cost * 1e3:.2f} ms)"
        )


def repeated(unit: str, before: str = "", after: str = "") -> Callable[[int], str]:
    return lambda n: before + unit * n + after


# Runs of the characters Markdown gives meaning to, and the pairs that open a construct and
# never close it: each makes a backtracking pattern try every start with every length.
MARKDOWN_RUNS = [
    "[", "]", "](", "[a](", "[a](b", "![", "\\[", "*", "**", "**x ", "*a ", "_", "__", "a_", " _a",
    "`", "``a", "` ", "\\", "\\\\*", "(", ")", "#", "> ", " ", "\t", "\n", "\n*a", "\n*", "\n* ",
    "\n ", "*\n", "_\n", "~", "~~~\n", "```\n", "<", "&",
]  # fmt: skip


@pytest.mark.parametrize("unit", MARKDOWN_RUNS)
@pytest.mark.parametrize("place", ["alone", "in a script"])
def test_plain_text_costs_linear_time(unit: str, place: str) -> None:
    """A few cells of `[` made generate take minutes: the link pattern tried every `[` with
    every length of what followed it."""
    before, after = (
        ("# Call\n\n- **Notes:** ", "\n\n*Then stop.*\n") if place == "in a script" else ("", "")
    )
    assert_linear(plain_text, repeated(unit, before, after))


@pytest.mark.parametrize("unit", [" ", "\t", " \n", "\u2028", "- ", "-", "*", "1.", "#", "`"])
def test_cells_become_markdown_text_in_linear_time(unit: str) -> None:
    """A cell of spaces with no line break made the line-break pattern scan the run once for
    every space in it."""
    assert_linear(markdown_text, repeated(unit, "a", "b"))


@pytest.mark.parametrize(
    ("name", "run", "make"),
    [
        ("e-mail with dots", values.parse_email, repeated(".", "a@", "@")),
        ("e-mail with labels", values.parse_email, repeated("a.", "a@", "@")),
        ("e-mail with spaces", values.parse_email, repeated(" ", "a@b")),
        ("money", values.parse_money.__wrapped__, repeated(" ", "1", "a1")),
        ("money groups", values.parse_money.__wrapped__, repeated("1 ", "", "a1")),
        ("money signs", values.parse_money.__wrapped__, repeated("$")),
        ("money exponent", values.parse_money.__wrapped__, repeated("1", "", "e")),
        ("money points", values.parse_money.__wrapped__, repeated(".", "1", "a")),
        ("choice", lambda text: values.parse_choice(text, ("upset",), "status"), repeated(" -")),
        ("zone", values.parse_zone.__wrapped__, repeated("/")),
        ("header", normalize_header, repeated(" -_.")),
        ("tel: spaces", tel, repeated(" ", "1", "a")),
        ("tel: extensions", tel, repeated("x1 ", "1", "a")),
        ("quarter", parse_quarter, repeated(" ", "2027", "x")),
        ("quarter dashes", parse_quarter, repeated(" - ", "2027", "Q1")),
        ("quotes of a row", lambda text: _Quotes([text], ","), repeated('"",')),
    ],
)
def test_cell_parsers_cost_linear_time(
    name: str, run: Callable[[str], object], make: Callable[[int], str]
) -> None:
    assert_linear(run, make)


def test_plain_text_has_no_markup_left() -> None:
    """Code spans, underscores, star bullets and images reached calendar descriptions as
    typed."""
    script = (
        "Run `outreach plan` first.\n"
        "* first\n"
        "+ second\n"
        "  * nested\n"
        "An _important_ point, __very__ much so, and *this* too.\n"
        "![the logo](https://example.com/logo.png) and [a link](https://example.com/a_(b))\n"
        "```\n"
        "code\n"
        "```\n"
    )
    assert plain_text(script) == (
        "Run outreach plan first.\n"
        "- first\n"
        "- second\n"
        "  - nested\n"
        "An important point, very much so, and this too.\n"
        "the logo and a link\n"
        "\n"
        "code\n"
        "\n"
    )


def test_plain_text_keeps_what_is_not_markup() -> None:
    """Names with underscores, sums with stars and escaped characters are text."""
    assert plain_text("snake_case_name, 3 * 4 = 12, 2*3*4, a_b_ c, {{ ''.__class__ }}") == (
        "snake_case_name, 3 * 4 = 12, 2*3*4, a_b_ c, {{ ''.__class__ }}"
    )
    assert plain_text("\\*not italic\\*, \\[not a link\\](x), \\`not code\\`, \\_x\\_") == (
        "*not italic*, [not a link](x), `not code`, _x_"
    )
    assert plain_text("`unclosed and [unclosed and **unclosed") == (
        "`unclosed and [unclosed and **unclosed"
    )
