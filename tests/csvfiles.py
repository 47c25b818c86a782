"""Inline CSV inputs for tests (a few readable rows instead of fixture files), and the CLI
run on them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from outreach.cli import cli

HEADER = [
    "account_id", "company", "contact_name", "contact_title", "email", "phone", "timezone",
    "owner", "status", "fault", "reason", "incident", "incident_date", "root_cause",
    "changes_made", "options", "low_risk_offer", "account_value", "last_contact", "attempts",
    "notes", "handoff_to",
]  # fmt: skip

BASE_ROW = {
    "account_id": "A-1",
    "company": "Acme Corp",
    "contact_name": "Dana Ruiz",
    "contact_title": "Buyer",
    "email": "dana@acme.example",
    "phone": "+1 212 555 0100",
    "timezone": "America/New_York",
    "owner": "Sam Rep",
    "status": "upset",
    "fault": "company",
    "reason": "delivery",
    "incident": "Order arrived late",
    "incident_date": "2026-11-02",
    "root_cause": "Carrier change",
    "changes_made": "Dispatch confirms carriers",
    "options": "Credit|Free shipping",
    "low_risk_offer": "A trial order",
    "account_value": "$12,000",
    "last_contact": "",
    "attempts": "0",
    "notes": "",
    "handoff_to": "",
}


def row(**overrides: Any) -> dict[str, str]:
    return {**BASE_ROW, **{k: str(v) for k, v in overrides.items()}}


def csv_bytes(
    rows: list[dict[str, str]], header: list[str] | None = None, delimiter: str = ","
) -> str:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, lineterminator="\r\n",
                            extrasaction="ignore")  # fmt: skip
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None,
              delimiter: str = ",", encoding: str = "utf-8") -> Path:  # fmt: skip
    path.write_text(csv_bytes(rows, header, delimiter), encoding=encoding, newline="")
    return path


def team_rows(count: int = 30) -> list[dict[str, str]]:
    """Contacts of three reps, upset and lapsed in turn: work that splits over processes."""
    return [
        row(contact_name=f"C{i}", owner=f"Rep {i % 3}", status=("upset", "lapsed")[i % 2])
        for i in range(count)
    ]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The command line run in-process: exit status, stdout and stderr. Any exception but
    the exit itself is a bug the user would see as a traceback, so it fails the test."""
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr
