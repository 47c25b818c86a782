"""Fuzzing the commands with whatever a CRM export can hold (issue 8, point 3).

Arbitrary text and bytes as a whole file, and arbitrary rows (cells with control characters,
any Unicode, delimiters, quotes, line breaks, template syntax) under a real header, go through
`check`, `plan` and `generate`. Whatever comes in: the exit status is 0, 1 or 2 and agrees
with what intake found, nothing raises, every row read is either planned or in skipped.csv,
every calendar parses with the strict `ical` package, and nothing is written outside the
output folder."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from outreach.cli import cli
from outreach.config import load_config
from outreach.errors import InputError
from outreach.intake.contacts import read_contacts
from outreach.model.records import Contact, Skip
from tests.factories import BASE_ROW, HEADER, read_csv

pytestmark = pytest.mark.slow  # hundreds of generated files, each run through the CLI

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"

EXAMPLES = int(os.environ.get("OUTREACH_FUZZ_EXAMPLES", "50"))
"""Per test; about 0.3 s each. OUTREACH_FUZZ_EXAMPLES=2000 for a long hunt."""
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the repository or the test's folder
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- strategies -------------------------------------------------------------------------------

AWKWARD = ("", " ", ",", ";", "\t", '"', '""', "'", "\r", "\n", "\r\n", "\0", "\x0b", "\x1b",
           "\x7f", "\x85", "\u2028", "\ufeff", "\u202e", "\u200b", "|", "\\", "/", "../", ":",
           "{{ 7*7 }}", "{%", "<script>", "BEGIN:VEVENT", "END:VCALENDAR", "=cmd|", "é", "日本",
           "😀", "ß", "İ")  # fmt: skip
fragments = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=4))
fuzz_text = st.lists(fragments, max_size=6).map("".join)

VALID: dict[str, tuple[str, ...]] = {
    "account_id": ("A-1", "A-2", "a-1", "A-3"),
    "company": ("Acme", "acme", "Globex"),
    "contact_name": ("Dana Ruiz", "Omar", "dana ruiz", "Jürgen Weiß"),
    "status": ("upset", "lapsed", "Lapsed"),
    "owner": ("Sam Rep", "Ann", "sam rep"),
    "timezone": ("America/New_York", "asia/kolkata", "Australia/Sydney", "UTC", ""),
    "phone": ("+1 212 555 0100", "+44 20 7946 0000 ext. 7"),
    "last_contact": ("2026-01-04", "Mar 4, 2026", ""),
    "handoff_to": ("", "", "Ann"),
}
ODD: dict[str, tuple[str, ...]] = {
    "status": ("resolved", "won back", "do_not_call", "angry"),
    "timezone": ("Mars/Base",),
    "phone": ("none", ""),
    "email": ("not an address",),
    "fault": ("nobody",),
    "incident_date": ("2026-02-30", "03/04/2026", "4 March 2026"),
    "last_contact": ("yesterday", "2027-02-27"),
    "account_value": ("500", "EUR 12.500,00", "-1", "1e30", "NaN", ""),
    "attempts": ("7", "-2", "99999"),
    "options": ("|||", "a|b|c|d"),
    "stage": ("apology", "keep_in_touch 2", "small_step x", ","),
}


def typical(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(VALID.get(name, (BASE_ROW.get(name, ""),)))


@st.composite
def rows_file(draw: st.DrawFn) -> tuple[bytes, list[list[str]]]:
    """A CSV with the real header and a few fuzzed rows; the rows as written.

    Each row has typical values but for a few fuzzed cells, so that many rows get calls."""
    header = [*HEADER, *draw(st.sampled_from([[], ["stage"], ["Region"]]))]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        fuzzed = draw(st.sets(st.sampled_from(header), max_size=4))
        odd = draw(st.sets(st.sampled_from(sorted(ODD)), max_size=2))
        cells = [
            draw(fuzz_text if name in fuzzed else st.sampled_from(ODD[name]) if name in odd
                 else typical(name))
            for name in header
        ]  # fmt: skip
        ragged = draw(st.sampled_from(["", "", "", "short", "long"]))
        if ragged == "short":
            cells = cells[: draw(st.integers(0, len(cells) - 1))]
        elif ragged == "long":
            cells += draw(st.lists(fuzz_text, min_size=1, max_size=3))
        rows.append(cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + buffer.getvalue()).encode("utf-8"), rows


HEADER_LINE = ",".join(HEADER) + "\r\n"
whole_files = st.one_of(
    st.text(max_size=300).map(str.encode),
    st.text(max_size=300).map(lambda text: (HEADER_LINE + text).encode()),
    st.lists(fragments, max_size=40).map(lambda parts: (HEADER_LINE + "".join(parts)).encode()),
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda data: HEADER_LINE.encode() + data),
)

# -- running the commands -------------------------------------------------------------------


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2), result.exit_code
    assert "Traceback" not in result.output + result.stderr
    return result


def intake(path: Path) -> list[Contact | Skip] | None:
    """What intake makes of the file: its rows, or None for a file it refuses whole."""
    try:
        return list(read_contacts(path, load_config(None)))
    except InputError:
        return None


def expected_status(items: list[Contact | Skip] | None) -> int:
    if items is None:
        return 2
    return 1 if any(isinstance(item, Skip) for item in items) else 0


@contextmanager
def scratch(base: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=base) as folder:
        yield Path(folder)


def files_under(folder: Path) -> set[Path]:
    return {Path(d) / name for d, _, names in os.walk(folder) for name in names}


def run_all(data: bytes, base: Path) -> tuple[list[Contact | Skip] | None, Path, Result]:
    """check, plan and generate on the file; its rows as intake reads them, the output folder
    and generate's result."""
    with scratch(base) as folder:
        contacts = folder / "contacts.csv"
        contacts.write_bytes(data)
        items = intake(contacts)
        status = expected_status(items)
        assert invoke("check", str(contacts)).exit_code == status
        printed = invoke("plan", str(contacts), "--start", START, "--format", "csv")
        assert printed.exit_code == status
        out = folder / "out"
        result = invoke("generate", str(contacts), "--out", str(out), "--start", START,
                        "--now", NOW, "--invites", "--quiet")  # fmt: skip
        assert result.exit_code == status, result.stderr
        event(f"exit status {status}")
        if status == 2:
            assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        outside = files_under(folder) - files_under(out) - {contacts}
        assert not outside, outside
        assert os.listdir(base) == [folder.name]  # nothing in the working folder either
        if items is not None:
            check_outputs(items, out)
            with io.StringIO(printed.stdout, newline="") as text:
                shown = {r["id"] for r in csv.DictReader(text)}
            assert shown == {r["id"] for r in read_csv(out / "plan.csv")}  # plan and generate agree
        return items, out, result


def check_outputs(items: list[Contact | Skip], out: Path) -> None:
    """Every row intake read is planned or skipped, once; every calendar parses strictly."""
    plan = read_csv(out / "plan.csv")
    skipped = read_csv(out / "skipped.csv")
    event("calls planned" if plan else "no call planned")
    line_of = {item.key: item.line for item in items if isinstance(item, Contact)}
    planned = {line_of[(r["account_id"], r["contact_name"].casefold())] for r in plan}
    skipped_lines = [int(r["line"]) for r in skipped]
    assert len(skipped_lines) == len(set(skipped_lines))
    assert not planned & set(skipped_lines)
    assert planned | set(skipped_lines) == {item.line for item in items}
    assert len(planned) + len(skipped_lines) == len(items)
    events = 0
    for path in (out / "calendars").glob("*.ics") if plan else ():
        text = path.read_bytes().decode("utf-8")
        assert text.endswith("END:VCALENDAR\r\n")
        events += len(IcsCalendarStream.calendar_from_ics(text).events)
    assert events == len(plan)
    assert {r["script"] for r in plan} == {p.relative_to(out).as_posix() for p in out.rglob("*.md")}


# -- the tests --------------------------------------------------------------------------------


@FUZZ
@given(rows_file())
def test_fuzzed_rows_are_each_planned_or_skipped(
    tmp_path: Path, fuzzed: tuple[bytes, list[list[str]]]
) -> None:
    data, rows = fuzzed
    items, _, _ = run_all(data, tmp_path)
    nonblank = [r for r in rows if any(c.replace("\0", "").strip() for c in r)]
    if nonblank:  # a good header and a row: never refused whole
        assert items is not None
        if not any("\r" in c or "\n" in c for r in rows for c in r):  # one line per row
            assert len(items) == len(nonblank)


@FUZZ
@given(whole_files)
def test_any_file_at_all_gets_an_answer_not_a_traceback(tmp_path: Path, data: bytes) -> None:
    run_all(data, tmp_path)


def test_an_unknown_stage_is_a_rejected_row(tmp_path: Path) -> None:
    """Found by the fuzzer: `check` passed a row whose stage is `,`, then `plan` and `generate`
    ended in a traceback from playbook.parse_stage. (In a bare `stage` column such a value
    makes the column the CRM's own: see tests/test_crm_roundtrip.py.)"""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(",".join([*HEADER, "outreach_stage"]) + "\r\n" + ",".join(
        ['"' + BASE_ROW[name] + '"' for name in HEADER] + ['"small_step x"']) + "\r\n")  # fmt: skip
    assert invoke("check", str(contacts)).exit_code == 1
    assert invoke("plan", str(contacts), "--start", START).exit_code == 1
