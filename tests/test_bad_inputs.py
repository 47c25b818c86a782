"""The corpus of bad inputs (tests/data/bad/expected.toml) through `outreach check`, and a
million rows checked in bounded memory."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from outreach.cli import cli
from outreach.intake.contacts import read_contacts
from outreach.intake.csvrows import Broken, CsvRows, Lines
from outreach.model.records import Contact
from outreach.model.settings import Config
from tests.factories import HEADER, csv_text, row

BAD = Path(__file__).parent / "data" / "bad"
CASES: dict[str, dict[str, Any]] = tomllib.loads((BAD / "expected.toml").read_text("utf-8"))

# The corpus files' columns: few enough to read, enough for the checks that count columns.
COLUMNS = "account_id,company,contact_name,owner,status,fault,timezone,incident_date,account_value,attempts,notes"


def good(n: int, **cells: str) -> str:
    """A valid row of COLUMNS for account A-n, with some cells replaced."""
    values = dict(account_id=f"A-{n}", company=f"Company {n}", contact_name="Dana Ruiz",
                  owner="Sam Rep", status="upset", fault="company", timezone="America/New_York",
                  incident_date="2026-11-02", account_value="12000", attempts="1", notes="")  # fmt: skip
    return ",".join({**values, **cells}.values())


def five_mb_fields(folder: Path) -> Path:
    quoted = 'ab,""cd"" ' * 625_000  # 'ab,"cd" ' once unquoted: 5,000,000 characters
    lines = [COLUMNS, good(1), good(2, notes="x" * 5_000_000), good(3, notes=f'"{quoted}"'),
             good(4), good(5, status="angry")]  # fmt: skip
    return _write(folder / "five_mb_fields.csv", "\r\n".join(lines) + "\r\n")


def hundred_thousand_columns(folder: Path) -> Path:
    known = COLUMNS.split(",")
    extra = [f"x{i}" for i in range(len(known) + 1, 100_001)]
    lines = [
        ",".join(known + extra),
        good(1) + "," + ",".join("v" * len(extra)),
        good(2, status="angry") + "," * len(extra),
        good(3) + "," * len(extra),
    ]
    return _write(folder / "hundred_thousand_columns.csv", "\r\n".join(lines) + "\r\n")


def hundred_thousand_unknown_columns(folder: Path) -> Path:
    header = ",".join(f"c{i}" for i in range(1, 100_001))
    return _write(
        folder / "hundred_thousand_unknown_columns.csv", header + "\r\n" + header + "\r\n"
    )


def quote_open_past_the_limit(folder: Path) -> Path:
    lines = [COLUMNS, good(1), good(2, notes='"left open')]
    lines += [good(n, notes=f"note {n}") for n in range(3, 20_003)]
    lines.append(good(20_003, status="angry"))
    return _write(folder / "quote_open_past_the_limit.csv", "\n".join(lines) + "\n")


def spreadsheet_renamed(folder: Path) -> Path:
    path = folder / "spreadsheet.csv"
    with zipfile.ZipFile(path, "w") as book:  # what an .xlsx is, saved under a .csv name
        book.writestr("xl/workbook.xml", "<workbook/>")
    return path


GENERATORS: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        five_mb_fields,
        hundred_thousand_columns,
        hundred_thousand_unknown_columns,
        quote_open_past_the_limit,
        spreadsheet_renamed,
    )
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    assert case["reading"].strip(), "every case says why its outcome is the right one"
    path = BAD / case["file"] if "file" in case else GENERATORS[case["generate"]](tmp_path)
    code, out, err = check(str(path))
    assert code == case["exit"]
    if code == 2:
        assert (out, err.splitlines()) == (
            "",
            ["Error: " + case["error"].replace("{file}", str(path))],
        )
        return
    rejection = re.compile(re.escape(str(path)) + r":\d+: ")
    assert [line for line in out.splitlines() if rejection.match(line)] == [
        line.replace("{file}", str(path)) for line in case["rejected"]
    ]
    code, out, _ = check(str(path), "--format", "json")
    report = json.loads(out)
    assert report["valid"] + report["suppressed"] == case["good"]  # every good row still counts
    assert report["rows"] == case["good"] + len(case["rejected"])


def test_every_corpus_file_has_a_case() -> None:
    files = {case["file"] for case in CASES.values() if "file" in case}
    assert files == {path.name for path in BAD.glob("*.csv")}


def test_a_repeated_unknown_column_keeps_both_values() -> None:
    contact = next(read_contacts(BAD / "duplicate_extra_header.csv", Config()))
    assert isinstance(contact, Contact)
    assert contact.extras == {"Region": "EMEA", "Region (2)": "DACH"}


def test_a_nul_byte_is_dropped_from_the_value() -> None:
    contact = next(read_contacts(BAD / "nul_bytes.csv", Config()))
    assert isinstance(contact, Contact) and contact.contact_name == "Dana Ruiz"


def test_line_numbers_stay_right_after_a_csv_error() -> None:
    # A file is split at every line end before csv sees it, and NULs are dropped, so csv.Error
    # cannot come from a file any more; a CR inside a line handed to csv directly provokes one.
    rows = CsvRows(Path("c.csv"), Lines(["id,name\n", "A-1,Acme\rCorp\n", "A-2,Beta\n"]))
    broken, after = list(rows)
    assert isinstance(broken, Broken) and broken.line == 2
    assert broken.reason.startswith(
        "cannot read the row: new-line character seen in unquoted field"
    )
    assert after == (3, ["A-2", "Beta"])


MEASURE = """
import json, resource, subprocess, sys
run = subprocess.run([sys.executable, "-m", "outreach", "check", sys.argv[1]],
                     capture_output=True, text=True, check=False)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
peak_bytes = peak if sys.platform == "darwin" else peak * 1024
print(json.dumps({"code": run.returncode, "out": run.stdout[-2000:], "err": run.stderr[-2000:],
                  "peak": peak_bytes}))
"""


@pytest.mark.slow
def test_a_million_rows_are_checked_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    first, rest = csv_text([row()]).splitlines()[1].split(",", 3)[::3]
    assert first == "A-1"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        for start in range(0, 1_000_000, 10_000):  # two contacts an account
            out.write("".join(f"A-{i // 2},Company {i // 2},Contact {i},{rest}\r\n"
                              for i in range(start, start + 10_000)))  # fmt: skip
        out.write(f"A-X,Company X,Contact X,{rest.replace('upset', 'angry')}\r\n")
    measured = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent.parent)  # fmt: skip
    report = json.loads(measured.stdout)
    assert report["code"] == 1, report
    assert report["out"].splitlines()[-2:] == [
        f"{path}:1000002: status: unknown status 'angry'; expected one of upset, lapsed, resolved, won_back, do_not_call",
        f"{path}: 1000001 rows: 1000000 upset or lapsed, 0 suppressed (resolved, won back or do not call), 1 rejected.",
    ]
    assert report["peak"] < 200 * 2**20, f"peak RSS {report['peak'] / 2**20:.0f} MB"
