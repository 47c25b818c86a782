"""Hostile sizes and edges (issue 14, points 2 and 3).

Cost is linear in the input whatever its characters: every regular expression that runs on a
CSV value or a script is run on ~100 KB of the characters that make patterns backtrack, and
its time must grow with the text, not with its square. Reading holds one bounded row in
memory, however long a line is. Dates, numbers and settings at the edges of their ranges
reject the row (or name the option or the settings key), never crash a later step."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from outreach.formats.ics import clean_param, escape_text, fold, param_value
from outreach.formats.invites import _one_line
from outreach.intake import cells
from outreach.intake.columns import normalize_header
from outreach.intake.csvrows import _Quotes, undecodable
from outreach.model.phone import tel_uri
from outreach.output.naming import slug
from outreach.planning.campaign import parse_quarter
from outreach.render.context import markdown_text
from outreach.render.plaintext import plain_text
from tests.factories import HEADER, csv_text, invoke, row, write_csv

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
        ("e-mail with dots", cells.parse_email, repeated(".", "a@", "@")),
        ("e-mail with labels", cells.parse_email, repeated("a.", "a@", "@")),
        ("e-mail with spaces", cells.parse_email, repeated(" ", "a@b")),
        ("money", cells.parse_money.__wrapped__, repeated(" ", "1", "a1")),
        ("money groups", cells.parse_money.__wrapped__, repeated("1 ", "", "a1")),
        ("money signs", cells.parse_money.__wrapped__, repeated("$")),
        ("money exponent", cells.parse_money.__wrapped__, repeated("1", "", "e")),
        ("money points", cells.parse_money.__wrapped__, repeated(".", "1", "a")),
        ("choice", lambda text: cells.parse_choice(text, ("upset",), "status"), repeated(" -")),
        ("zone", cells.parse_zone.__wrapped__, repeated("/")),
        ("header", normalize_header, repeated(" -_.")),
        ("tel: spaces", tel_uri, repeated(" ", "1", "a")),
        ("tel: extensions", tel_uri, repeated("x1 ", "1", "a")),
        ("quarter", parse_quarter, repeated(" ", "2027", "x")),
        ("quarter dashes", parse_quarter, repeated(" - ", "2027", "Q1")),
        ("quotes of a row", lambda text: _Quotes([text], ","), repeated('"",')),
        ("undecodable bytes", undecodable, repeated("é\udc80")),
        ("ics text", escape_text, repeated("\\;,\n\x01")),
        ("ics parameter", lambda text: param_value(clean_param(text)), repeated('",;:’\x01')),
        ("ics folding", lambda text: fold("DESCRIPTION:" + text), repeated("\\^")),
        ("ics folding, wide", lambda text: fold("DESCRIPTION:" + text), repeated("é\\")),
        ("mail header", _one_line, repeated(" \r\n\u2028")),
        ("file name", slug, repeated(" -é")),
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


# A line of any length is read in bounded memory: one 200 MB line cost 1.4 GB in `check` and
# 3.2 GB in `campaign`, read whole before its cell was found too long.

MEASURE = """
import json, resource, subprocess, sys
run = subprocess.run([sys.executable, "-m", "outreach", *sys.argv[1:]],
                     capture_output=True, text=True, check=False)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": run.returncode, "out": run.stdout[-2000:], "err": run.stderr[-2000:],
                  "peak": peak if sys.platform == "darwin" else peak * 1024}))
"""
"""Runs outreach with the given arguments in a child and reports its own peak RSS: measured
from the test process, RUSAGE_CHILDREN would hold the largest of every child it ever ran."""
LONG_CELL = "the line runs past 1,000,000 characters in this cell; the row is not read"


def _huge_line_file(path: Path, megabytes: int, encoding: str = "utf-8") -> Path:
    """Three contacts, the second with a notes cell of `megabytes` million characters, written
    a megabyte at a time so that the test itself stays small."""
    text = csv_text([row(contact_name="A"), row(contact_name="B", notes="@@"),
                      row(contact_name="C", status="angry")])  # fmt: skip
    before, after = text.split("@@")
    with path.open("w", encoding=encoding, newline="") as out:
        out.write(before)
        for _ in range(megabytes):
            out.write("x" * 1_000_000)
        out.write(after)
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["check"], ["campaign", "--quarter", "2027Q2", "--out", "q", "--now", "2027-03-01T00:00Z"]],
)
def test_a_50_mb_line_is_rejected_in_bounded_memory(tmp_path: Path, command: list[str]) -> None:
    path = _huge_line_file(tmp_path / "big.csv", 50)
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, command[0], str(path), *command[1:]],
        capture_output=True, text=True, check=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip
    report = json.loads(measured.stdout)
    assert report["code"] == 1, report
    assert "Traceback" not in report["err"]
    assert f"{path}:3: notes: {LONG_CELL}" in report["out"] + report["err"]
    assert f"{path}:4: status: unknown status 'angry'" in report["out"] + report["err"]
    assert report["peak"] < 150 * 2**20, f"peak RSS {report['peak'] / 2**20:.0f} MB"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_line_past_the_limit_is_one_rejected_row(tmp_path: Path, encoding: str) -> None:
    path = _huge_line_file(tmp_path / "big.csv", 2, encoding)
    code, out, err = invoke("check", str(path))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{path}:3: notes: {LONG_CELL}",
        f"{path}:4: status: unknown status 'angry'; expected one of upset, lapsed, resolved, "
        "won_back, do_not_call",
        f"{path}: 3 rows: 1 upset or lapsed, 0 suppressed (resolved, won back or do not call), "
        "2 rejected.",
    ]


def test_a_long_line_swallowed_by_an_open_quote_is_read_again(tmp_path: Path) -> None:
    """The row whose quote was left open is rejected, then the long line itself; the rows
    after it are read."""
    header, first, _ = csv_text([row(contact_name="A", notes="@@")]).split("\r\n")
    path = tmp_path / "c.csv"
    lines = [header, first.replace("@@", '"left open'), "y" * 1_500_000,
             first.replace(",A,", ",C,"), first.replace(",A,", ",D,").replace("upset", "angry")]  # fmt: skip
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    code, out, _ = invoke("check", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:2: notes: the quote opened on line 2 runs on into line 3, which is longer "
        "than 1,000,000 characters; reading goes on from line 3",
        f"{path}:3: account_id: {LONG_CELL}",
        f"{path}:5: status: unknown status 'angry'; expected one of upset, lapsed, resolved, "
        "won_back, do_not_call",
        f"{path}: 4 rows: 1 upset or lapsed, 0 suppressed (resolved, won back or do not call), "
        "3 rejected.",
    ]


def test_a_header_past_the_limit_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a," * 600_000 + "\r\n", encoding="utf-8", newline="")
    code, out, err = invoke("check", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {path}:1: the first line is longer than 1,000,000 characters: not a header row\n"
    )


# Dates and numbers at the edges reject the row, or name the option or the settings key.

NOW = "2027-03-01T00:00Z"
OUT = "out"
COMMANDS = {
    "check": ["check"],
    "plan": ["plan", "--start", "2027-03-08"],
    "generate": ["generate", "--out", OUT, "--now", NOW, "--start", "2027-03-08", "-q"],
    "campaign": ["campaign", "--quarter", "2027Q2", "--out", OUT, "--now", NOW, "-q"],
}


def _run(
    command: str, path: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[int, str]:
    name, *options = COMMANDS[command]
    code, out, err = invoke(name, str(path), *options, *extra, env=env)
    assert "Traceback" not in out + err
    return code, out + err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("field", "typed"),
    [("last_contact", "9999-12-31"), ("last_contact", "12/31/9999"), ("incident_date", "0001-01-01"),
     ("stage_date", "9999-12-20"), ("stage_date", "1899-12-31")],
)  # fmt: skip
def test_a_date_out_of_range_rejects_its_row(
    tmp_path: Path, command: str, field: str, typed: str
) -> None:
    """9999-12-31, a CRM's "no date", passed check and crashed plan, generate and campaign."""
    header = [*HEADER, "stage", "stage_date"]
    rows = [row(contact_name="A", status="lapsed"),
            {**row(contact_name="B", status="lapsed", stage="keep_in_touch 1"), field: typed},
            row(contact_name="C")]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows, header)
    code, output = _run(command, path)
    assert code == 1
    assert f"{path}:3: {field}: '{typed}' is outside the years 1900 to 2200" in output
    if command in ("generate", "campaign"):
        skipped = (tmp_path / OUT / "skipped.csv").read_text(encoding="utf-8")
        assert f"3,rejected,{field}," in skipped
        planned = (tmp_path / OUT / "plan.csv").read_text(encoding="utf-8")
        assert ",A," in planned and ",C," in planned and ",B," not in planned


GENERATE = ["generate", "--out", OUT, "-q"]
CAMPAIGN = ["campaign", "--quarter", "2027Q2", "--out", OUT, "-q"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["plan", "--start", "9999-12-31"], {}, "Invalid value for '--start': '9999-12-31' is outside"),
        ([*GENERATE, "--start", "0001-01-01"], {}, "Invalid value for '--start': '0001-01-01' is outside"),
        ([*GENERATE, "--now", "9999-12-31T23:59Z"], {}, "Invalid value for '--now': '9999-12-31T23:59:00+00:00' is outside"),
        ([*CAMPAIGN, "--now", "0001-01-01"], {}, "Invalid value for '--now': '0001-01-01T00:00:00' is outside"),
        (["campaign", "--quarter", "9999Q4", "--out", OUT], {}, "'9999Q4' is outside"),
        (["campaign", "--from", "2027-01-01", "--to", "9999-12-31", "--out", OUT], {}, "Invalid value for '--to'"),
        (["plan"], {"SOURCE_DATE_EPOCH": "-99999999999"}, "SOURCE_DATE_EPOCH='-99999999999' is outside"),
        (["plan"], {"SOURCE_DATE_EPOCH": "1000000000000"}, "SOURCE_DATE_EPOCH='1000000000000' is outside"),
        (GENERATE, {"SOURCE_DATE_EPOCH": "99999999999999999999999"}, "SOURCE_DATE_EPOCH='99999999999999999999999' is outside"),
        (CAMPAIGN, {"SOURCE_DATE_EPOCH": "1e12"}, "SOURCE_DATE_EPOCH='1e12' is not a whole number"),
    ],
)  # fmt: skip
def test_a_clock_or_start_out_of_range_names_the_option(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    """An extreme --start, --now or SOURCE_DATE_EPOCH crashed a later step."""
    path = write_csv(tmp_path / "c.csv", [row()])
    code, out, err = invoke(args[0], str(path), *args[1:], env=env)
    assert "Traceback" not in out + err
    assert code == 2, out + err
    assert message in err and err.count("\n") <= 4  # click's usage lines, then one Error line
    assert not (tmp_path / OUT).exists()


@pytest.mark.parametrize("epoch", ["0", "-1", "-2208988800"])
def test_source_date_epoch_in_range_works(tmp_path: Path, epoch: str) -> None:
    """0, the value reproducible builds use most, is 1970-01-01: a clock in range."""
    path = write_csv(tmp_path / "c.csv", [row()])
    code, _, err = invoke("generate", str(path), "--out", OUT, "--start", "2027-03-08", "-q",
                            env={"SOURCE_DATE_EPOCH": epoch})  # fmt: skip
    assert code == 0 and "Error" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("settings", "key", "message"),
    [
        ("[drop]\nmin_account_value = nan", "drop.min_account_value", "must be a number from 0 to 1,000,000,000,000, not nan"),
        ("[drop]\nmin_account_value = inf", "drop.min_account_value", "must be a number from 0 to 1,000,000,000,000, not inf"),
        ("[drop]\nmin_account_value = 'NaN'", "drop.min_account_value", "not 'NaN'"),
        ("[drop]\nmin_account_value = -5", "drop.min_account_value", "not -5"),
        ("[calendar]\nreminder_minutes = 9000000000000000000", "calendar.reminder_minutes", "must be at most 40,320"),
        ("[plays]\nkeep_in_touch_months = 100000", "plays.keep_in_touch_months", "must be at most 24, not 100,000"),
        ("[plays]\nkeep_in_touch_count = 100000", "plays.keep_in_touch_count", "must be at most 40"),
        ("[plays]\nsmall_step_days = [14, 99999]", "plays.small_step_days", "must be at most 730, not 99,999"),
        ("[plays]\nsmall_step_days = " + str([7] * 11), "plays.small_step_days", "at most 10 small steps, not 11"),
        ("[plays]\nlapsed_cooldown_days = 3000000", "plays.lapsed_cooldown_days", "must be at most 730"),
        ("[schedule]\nbuffer_minutes = 100000", "schedule.buffer_minutes", "must be at most 1,440"),
        ('[schedule]\nday_start = "09:00+05:00"', "schedule.day_start", 'without a UTC offset, not \'09:00+05:00\''),
        ("[schedule]\nholidays = [2027-12-24T00:00:00]", "schedule.holidays", "not a date and time"),
    ],
)  # fmt: skip
def test_a_setting_out_of_range_names_the_file_and_key(
    tmp_path: Path, command: str, settings: str, key: str, message: str
) -> None:
    """nan, inf and huge numbers crashed a later step; an offset on day_start crashed the
    scheduler; a TOML date and time in holidays was silently never a holiday."""
    config = tmp_path / "settings.toml"
    config.write_text(settings + "\n", encoding="utf-8")
    path = write_csv(tmp_path / "c.csv", [row()])
    code, output = _run(command, path, "--config", str(config))
    assert code == 2
    assert f"Error: {config}: {key}: " in output and message in output, output


@pytest.mark.parametrize("command", ["plan", "generate", "campaign"])
def test_calls_per_day_past_its_limit_names_the_option(tmp_path: Path, command: str) -> None:
    path = write_csv(tmp_path / "c.csv", [row()])
    code, output = _run(command, path, "--calls-per-day", "10" * 20)
    assert code == 2
    assert "Invalid value for '--calls-per-day'" in output and "1<=x<=1440" in output


def test_every_date_of_a_plan_at_the_edges_stays_in_range(tmp_path: Path) -> None:
    """The longest sequence the settings allow, from the last day dates may take: every call
    is planned, none crashes."""
    config = tmp_path / "settings.toml"
    config.write_text(
        "[plays]\nfollow_up_days = 730\nsmall_step_days = " + str([730] * 10) + "\n"
        "substantial_offer_days = 730\nkeep_in_touch_months = 24\nkeep_in_touch_count = 40\n"
        "lapsed_cooldown_days = 730\nupset_cooldown_days = 730\n"
        "[calendar]\nreminder_minutes = 40320\n[schedule]\nbuffer_minutes = 1440\n",
        encoding="utf-8",
    )  # fmt: skip
    header = [*HEADER, "stage", "stage_date"]
    rows = [row(contact_name="A", last_contact="2200-12-31", incident_date="2200-12-31"),
            row(contact_name="B", status="lapsed", last_contact="2200-12-31"),
            {**row(contact_name="C"), "stage": "small_step 1", "stage_date": "2200-12-31"}]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows, header)
    code, _, err = invoke("generate", str(path), "--out", OUT, "--config", str(config),
                            "--start", "2200-12-31", "--now", "2200-12-31T23:59Z", "-q")  # fmt: skip
    assert code == 0 and "Error" not in err and "Traceback" not in err
    with (tmp_path / OUT / "plan.csv").open(encoding="utf-8", newline="") as plan:
        last = max(call["start"][:10] for call in csv.DictReader(plan))
    assert "2280" < last < "2300"  # 40 keep-in-touch calls two years apart after a 2-year cooldown
