"""What an earlier run planned, read back from its plan.csv: so calendars update in place,
and for `outreach agenda`."""

from __future__ import annotations

import csv
import io
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from outreach.errors import InputError
from outreach.formats.tables import from_spreadsheet_cell
from outreach.intake.cells import parse_zone
from outreach.model.plays import PLAYS, Play
from outreach.render.sheets import SheetCall

Record = TypeVar("Record")


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
    return {call.id: call for call in _read_plan(folder, reader, _previous_call)}


def read_sheets(folder: Path) -> dict[str, list[SheetCall]]:
    """Rep → their calls in `folder`'s plan.csv as day sheets show them, in time order."""
    calls: dict[str, list[SheetCall]] = defaultdict(list)
    for owner, call in _read_plan(folder, "outreach agenda", _owned_sheet_call):
        calls[owner].append(call)
    return dict(calls)


def _read_plan(
    folder: Path, reader: str, read: Callable[[dict[str, str]], Record]
) -> Iterator[Record]:
    """`read` of each row of `folder`'s plan.csv; an error names the line its row starts on
    (a brief spans lines)."""
    path = folder / "plan.csv"
    with open_plain(path, reader) as handle:
        rows = csv.DictReader(handle)
        line = 2
        try:
            for row in rows:
                yield read(row)
                line = rows.line_num + 1
        except (KeyError, TypeError, ValueError, csv.Error) as error:  # UnicodeDecodeError too
            raise InputError(path, f"not a plan.csv written by outreach ({error})", line) from None


def _owned_sheet_call(row: dict[str, str]) -> tuple[str, SheetCall]:
    return from_spreadsheet_cell(row["owner"]), _sheet_call(row)


def _sheet_call(row: dict[str, str]) -> SheetCall:
    cell = {name: from_spreadsheet_cell(value) for name, value in row.items() if name and value}
    zone = parse_zone(cell["timezone"])
    start = _instant(cell["start"])
    brief = cell.get("brief", "")  # a plan.csv written before day sheets had none
    return SheetCall(
        id=cell["id"],
        play=cell["play"],
        step=int(cell["step"]),
        company=cell["company"],
        contact_name=cell["contact_name"],
        phone=cell.get("phone", ""),
        tel=cell.get("tel", ""),
        value=cell.get("account_value", ""),
        brief=tuple(brief.split("\n")) if brief else (),
        start=start,
        timezone=zone,
        minutes=int((_instant(cell["end"]) - start).total_seconds()) // 60,
        flags=tuple(cell.get("flags", "").split()),
    )


def open_plain(path: Path, reader: str) -> io.TextIOWrapper:
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
