"""What an earlier run planned, read back from its plan.csv, so calendars update in place."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from outreach.errors import InputError
from outreach.exports import from_spreadsheet_cell
from outreach.plan import PLAYS, Play


@dataclass(frozen=True, slots=True)
class PreviousCall:
    id: str
    owner: str
    company: str
    contact_name: str
    play: Play
    step: int
    start: datetime
    end: datetime
    timezone: str
    sequence: int
    digest: str


def read_previous(folder: Path) -> dict[str, PreviousCall]:
    """The calls of the run that wrote `folder`, by id."""
    path = folder / "plan.csv"
    calls: dict[str, PreviousCall] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    call = _previous_call(row)
                except (KeyError, TypeError, ValueError) as error:
                    raise InputError(
                        path, f"not a plan.csv written by outreach ({error})", line
                    ) from None
                calls[call.id] = call
    except FileNotFoundError:
        raise InputError(
            path, "no plan.csv here: --previous takes the output folder of an earlier run"
        ) from None
    return calls


def _previous_call(row: dict[str, str]) -> PreviousCall:
    play = row["play"]
    if play not in PLAYS:
        raise ValueError(f"unknown play {play!r}")
    return PreviousCall(
        id=row["id"],
        owner=from_spreadsheet_cell(row["owner"]),
        company=from_spreadsheet_cell(row["company"]),
        contact_name=from_spreadsheet_cell(row["contact_name"]),
        play=play,
        step=int(row["step"]),
        start=datetime.fromisoformat(row["start"]),
        end=datetime.fromisoformat(row["end"]),
        timezone=row["timezone"],
        sequence=int(row["sequence"]),
        digest=row["digest"],
    )
