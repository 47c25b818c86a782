from __future__ import annotations

import csv
import io
import json
import multiprocessing
from datetime import datetime
from pathlib import Path

import pytest

from outreach.formats.tables import PLAN_FIELDS
from tests.factories import EXAMPLE, invoke, row, team_rows, write_csv


def test_table_shows_rep_and_contact_times() -> None:
    code, out, err = invoke("plan", str(EXAMPLE), "--start", "2027-03-08")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split()[:2] == ["rep", "rep's"]
    assert any("Northwind Traders" in line and "apology" in line for line in lines)
    assert "the account is worth USD 650, less than drop.min_account_value (1,000)" in err


def test_csv_has_the_documented_fields_and_offsets() -> None:
    code, out, _ = invoke("plan", str(EXAMPLE), "--start", "8 March 2027", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == PLAN_FIELDS
    assert len(rows) > 13
    for plan_row in rows:
        start = datetime.fromisoformat(plan_row["start"])
        assert start.utcoffset() is not None
        assert start.date().isoformat() >= "2027-03-08"


def test_json_lists_calls_and_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(), row(contact_name="B", status="angry")])
    code, out, _ = invoke("plan", str(path), "--start", "2027-03-08", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["start"] == "2027-03-08"
    assert next(c["play"] for c in report["calls"]) == "apology"
    assert report["skipped"][0]["line"] == 3 and report["skipped"][0]["kind"] == "rejected"


def test_a_bad_start_date_is_a_usage_error() -> None:
    code, _, err = invoke("plan", str(EXAMPLE), "--start", "someday")
    assert code == 2 and "someday" in err


def test_command_line_overrides_the_calls_per_day(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(contact_name=f"C{i}") for i in range(3)])
    _, out, _ = invoke(
        "plan", str(path), "--start", "2027-03-08", "--format", "json", "--calls-per-day", "1"
    )
    days = sorted(c["start"][:10] for c in json.loads(out)["calls"] if c["play"] == "apology")
    assert days == ["2027-03-08", "2027-03-09", "2027-03-10"]


def test_start_dates_follow_the_day_first_setting(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row()])
    settings = tmp_path / "outreach.toml"
    settings.write_text("[input]\nday_first = true\n", encoding="utf-8")
    for typed in ("05/04/2027", "05.04.2027"):
        _, out, _ = invoke(
            "plan", str(path), "--start", typed, "--format", "json", "--config", str(settings)
        )
        assert json.loads(out)["start"] == "2027-04-05", typed
    _, out, _ = invoke("plan", str(path), "--start", "05.04.2027", "--format", "json")
    assert json.loads(out)["start"] == "2027-04-05"  # dots are day first whatever the setting


def test_a_start_in_the_past_is_warned_about(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row()])
    code, _, err = invoke("plan", str(path), "--start", "2020-01-06")
    assert code == 0 and "Warning: the plan starts on 2020-01-06, which is in the past" in err


@pytest.mark.parametrize("start", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_several_processes_print_the_same_plan_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """Reps are scheduled and printed in worker processes; the output is the same bytes."""
    import outreach.output.workers

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(outreach.output.workers, "CONTEXT", multiprocessing.get_context(start))
    monkeypatch.setattr(outreach.output.workers, "PARALLEL_FROM", 0)
    path = write_csv(
        tmp_path / "c.csv", [*team_rows(), row(contact_name="Nobody", status="resolved")]
    )
    for fmt in ("csv", "json"):
        printed = set()
        for jobs in ("1", "2", "3"):
            code, out, _ = invoke("plan", str(path), "--start", "2027-03-08", "--format", fmt,
                                  "--jobs", jobs)  # fmt: skip
            assert code == 0
            printed.add(out)
        assert len(printed) == 1
    assert len(json.loads(out)["calls"]) == 150 and len(json.loads(out)["skipped"]) == 1


def test_json_keeps_unicode_line_separators_inside_values(tmp_path: Path) -> None:
    """U+2028 and U+0085 stay inside their strings: the JSON is indented at newlines only."""
    name = "North\u2028wind\x85 Traders"
    rows = [row(company=name), row(account_id="A-2", contact_name="X", status="resolved")]
    path = write_csv(tmp_path / "c.csv", rows)
    code, out, _ = invoke("plan", str(path), "--start", "2027-03-08", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert {call["company"] for call in document["calls"]} == {name}
    assert out == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
