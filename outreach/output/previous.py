"""What an earlier run planned, read back from its plan.csv, so calendars update in place."""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from outreach.errors import InputError
from outreach.formats.tables import from_spreadsheet_cell
from outreach.intake.cells import parse_zone
from outreach.model.plays import PLAYS, Play


@dataclass(frozen=True, slots=True)
class PreviousCall:
    id: str
    owner: str
    account_id: str
    company: str
    contact_name: str
    play: Play
    step: int
    start: datetime
    end: datetime
    timezone: str
    sequence: int
    digest: str
    inputs: str
    """`sequence.CallInputs` of the call in that run; empty from a plan.csv written before it."""


def read_previous(folder: Path, reader: str = "--previous") -> dict[str, PreviousCall]:
    """The calls of the run that wrote `folder`, by id; `reader` names what asks, for the
    message when there is no plan.csv."""
    path = folder / "plan.csv"
    calls: dict[str, PreviousCall] = {}
    with _open_plain(path, reader) as handle:
        rows = csv.DictReader(handle)
        try:
            for row in rows:
                call = _previous_call(row)
                calls[call.id] = call
        except (KeyError, TypeError, ValueError, csv.Error) as error:  # UnicodeDecodeError too
            raise InputError(
                path, f"not a plan.csv written by outreach ({error})", rows.line_num
            ) from None
    return calls


def _open_plain(path: Path, reader: str) -> io.TextIOWrapper:
    """`path` open for reading, if it is a plain file: a named pipe there would never end."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(
            path, f"no plan.csv here: {reader} takes the output folder of an earlier run"
        ) from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise InputError(path, f"not a file: {reader} takes the output folder of an earlier run")
    return open(descriptor, encoding="utf-8", newline="")


def _previous_call(row: dict[str, str]) -> PreviousCall:
    play = row["play"]
    if play not in PLAYS:
        raise ValueError(f"unknown play {play!r}")
    sequence = int(row["sequence"])
    if sequence < 0:
        raise ValueError(f"sequence {sequence} is negative")
    return PreviousCall(
        id=row["id"],
        owner=from_spreadsheet_cell(row["owner"]),
        account_id=from_spreadsheet_cell(row["account_id"]),
        company=from_spreadsheet_cell(row["company"]),
        contact_name=from_spreadsheet_cell(row["contact_name"]),
        play=play,
        step=int(row["step"]),
        start=_instant(row["start"]),
        end=_instant(row["end"]),
        timezone=parse_zone(row["timezone"]),
        sequence=sequence,
        digest=row["digest"],
        inputs=row.get("inputs") or "",
    )


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment
