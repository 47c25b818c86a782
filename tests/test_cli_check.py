from __future__ import annotations

import json
from pathlib import Path

from tests.factories import EXAMPLE, invoke, row, write_csv


def test_the_example_file_is_valid() -> None:
    code, out, _ = invoke("check", str(EXAMPLE))
    assert code == 0
    assert "14 rows: 13 upset or lapsed, 1 suppressed" in out and "0 rejected" in out


def test_broken_rows_give_one_precise_line_each_and_exit_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [
        row(contact_name="Good"),
        row(contact_name="Angry", status="angry"),
        row(contact_name="Odd date", incident_date="31/31/2026"),
        row(contact_name="Far away", timezone="Mars/Olympus"),
        row(contact_name="No company", company="", account_id="A-9"),
        row(contact_name="good"),
    ])  # fmt: skip
    code, out, err = invoke("check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[:5] == [
        f"{path}:3: status: unknown status 'angry'; expected one of upset, lapsed, resolved, won_back, do_not_call",
        f"{path}:4: incident_date: cannot read '31/31/2026' as a date (month must be in 1..12: 31/31/2026)",
        f"{path}:5: timezone: unknown time zone 'Mars/Olympus'",
        f"{path}:6: company: is empty",
        f"{path}:7: contact_name: duplicate contact 'good' in account 'A-1'",
    ]
    assert (
        lines[5]
        == f"{path}: 6 rows: 1 upset or lapsed, 0 suppressed (resolved, won back or do not call), 5 rejected."
    )
    assert "Traceback" not in out + err


def test_json_output(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(), row(contact_name="B", status="angry")])
    code, out, _ = invoke("check", str(path), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["rows"] == 2 and report["valid"] == 1
    assert report["rejected"] == [{
        "line": 3, "field": "status", "kind": "rejected", "account_id": "A-1", "contact_name": "B", "owner": "Sam Rep",
        "reason": "unknown status 'angry'; expected one of upset, lapsed, resolved, won_back, do_not_call",
    }]  # fmt: skip


def test_a_file_level_fault_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Account,Who\r\nA,B\r\n", encoding="utf-8")
    code, _out, err = invoke("check", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"Error: {path}:1: required columns account_id, company, contact_name, status, owner missing; "
        "columns found: 'Account', 'Who'"
    ]
    code, _, err = invoke("check", str(tmp_path / "missing.csv"))
    assert (code, err.strip()) == (2, f"Error: {tmp_path / 'missing.csv'}: no such file")


def test_a_bad_config_is_one_error_line(tmp_path: Path) -> None:
    config = tmp_path / "outreach.toml"
    config.write_text("[schedule]\ncalls_a_day = 3\n", encoding="utf-8")
    code, _, err = invoke("check", str(EXAMPLE), "--config", str(config))
    assert code == 2
    assert err.startswith(f"Error: {config}: schedule.calls_a_day: unknown key")


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("outreach, version ")
    code, out, _ = invoke("--help")
    assert code == 0 and "check" in out and "plan" in out
