"""outcomes.csv in an output folder: what happened on its calls, a line per logged outcome,
only ever added to (see folder.OUTCOMES: no run of generate or campaign touches it).

Whoever adds holds a lock on the file, reads what is there and appends only the lines not
there yet, in one write: two reps logging at the same moment both get their lines in, and
logging the same outcomes twice adds nothing the second time."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from outreach.errors import OutputError
from outreach.formats.tables import csv_rows, csv_text, from_spreadsheet_cell
from outreach.intake.cells import parse_options
from outreach.model.outcomes import CallOutcome, Promise
from outreach.model.records import Skip
from outreach.output.confined import ConfinedFolder
from outreach.output.folder import OUTCOMES

BEFORE_PROMISES = ("id", "outcome", "at", "note", "callback", "account_id", "contact_name", "play")
"""The header of an outcomes.csv written before promises: still read, and appended to in its
own layout while no line carries a promise."""
OUTCOME_COLUMNS = (*BEFORE_PROMISES, "promise", "due")


def outcome_row(outcome: CallOutcome) -> tuple[str, ...]:
    """The outcome's cells, in the order of OUTCOME_COLUMNS: several promises, and their due
    dates in the same order, separated by `|` as other lists in a CSV."""
    callback = outcome.callback.isoformat() if outcome.callback else ""
    return (
        outcome.call_id,
        outcome.outcome,
        outcome.at.isoformat(),
        outcome.note,
        callback,
        outcome.account_id,
        outcome.contact_name,
        outcome.play,
        " | ".join(promise.text for promise in outcome.promises),
        " | ".join(promise.due.isoformat() for promise in outcome.promises),
    )


class OutcomesLog:
    """The outcomes recorded in outcomes.csv, and those added since it was read."""

    def __init__(self, recorded: bytes, path: Path) -> None:
        self._path = path
        self._columns = _header(recorded, path)
        self._keys = set(_recorded_keys(recorded, self._columns))
        self._new = not recorded
        self._open_line = recorded[-1:] not in (b"", b"\n")  # a line someone left unended
        self.added: list[CallOutcome] = []

    def has(self, outcome: CallOutcome) -> bool:
        """Whether the same line is there already (see CallOutcome.key)."""
        return outcome.key in self._keys

    def add(self, outcome: CallOutcome) -> bool:
        """Adds the outcome unless the same line is there already; whether it was added."""
        if self.has(outcome):
            return False
        if outcome.promises and self._columns == BEFORE_PROMISES:
            raise OutputError(
                f"{self._path}: written before promises were logged, it has no promise and due "
                "columns; move the file away (plan, generate and campaign read it with "
                "--outcomes FILE), and outreach log starts a new one"
            )
        self._keys.add(outcome.key)
        self.added.append(outcome)
        return True

    def appended(self) -> bytes:
        """What to append to the file: the lines added (after the header, in a new file)."""
        width = len(self._columns)
        rows = (outcome_row(outcome)[:width] for outcome in self.added)
        text = (
            "".join(csv_text(self._columns, rows)) if self._new else csv_rows(self._columns, rows)
        )
        return (b"\n" if self._open_line and text else b"") + text.encode("utf-8")


@contextmanager
def outcomes_log(folder: Path) -> Iterator[OutcomesLog]:
    """The folder's outcomes.csv, locked against other writers while the block runs; what was
    added in it is appended when it ends, in one write (nothing, if it raises)."""
    try:
        files = ConfinedFolder(folder)
    except OSError as error:
        raise OutputError(f"{folder}: cannot open the folder: {error.strerror or error}") from None
    try:
        with files.append(OUTCOMES) as handle:
            _lock(handle.fileno())  # released when the file is closed
            log = OutcomesLog(files.read(OUTCOMES), folder / OUTCOMES)
            yield log
            handle.write(log.appended())
    finally:
        files.close()


@dataclass
class Tally:
    """What logging a file of outcomes did, line by line."""

    recorded: list[CallOutcome] = field(default_factory=list)
    already: int = 0
    """Lines already in outcomes.csv (or earlier in the same file)."""
    rejected: list[Skip] = field(default_factory=list)


def log_lines(
    folder: Path, lines: Iterable[tuple[int, CallOutcome] | Skip], source: str, now: datetime
) -> Tally:
    """Records the outcomes read from the file `source` in the folder's outcomes.csv: those
    not recorded yet, and not made after the run's clock `now` or asking for a callback
    before it. A line recorded already is not rejected for the clock: importing the same file
    again changes nothing."""
    tally = Tally()
    items = list(lines)  # read before the lock is taken: other reps wait only for the write
    with outcomes_log(folder) as log:
        for item in items:
            if isinstance(item, Skip):
                tally.rejected.append(item)
                continue
            line, outcome = item
            if log.has(outcome):
                tally.already += 1
            elif problem := outcome.against_clock(now):
                tally.rejected.append(Skip(source, line, "rejected", problem[1], problem[0]))
            else:
                log.add(outcome)
        tally.recorded = log.added
    return tally


def _lines(data: bytes) -> Iterator[list[str]]:
    text = data.decode("utf-8-sig", errors="surrogateescape")
    return csv.reader(io.StringIO(text, newline=""))  # a note's line breaks stay in the note


def _header(data: bytes, path: Path) -> tuple[str, ...]:
    """The columns lines are appended in: the file's header (today's, or the one before
    promises); an OutputError if it is not outreach's, as lines appended would be misread."""
    header = tuple(cell.strip() for cell in next(_lines(data), OUTCOME_COLUMNS))
    if header not in (OUTCOME_COLUMNS, BEFORE_PROMISES):
        raise OutputError(
            f"{path}: its first line is not the header outreach writes ({','.join(OUTCOME_COLUMNS)}); "
            "move the file away, and outreach log starts a new one"
        )
    return header


def _recorded_keys(data: bytes, columns: tuple[str, ...]) -> Iterator[tuple[object, ...]]:
    """The key (see CallOutcome.key) of each line of outcomes.csv as outreach writes it."""
    rows = _lines(data)
    next(rows, None)
    for row in rows:
        if len(row) >= 5:
            call_id, outcome, at, note, callback = map(from_spreadsheet_cell, row[:5])
            cells = dict(zip(columns, map(from_spreadsheet_cell, row), strict=False))
            yield (
                call_id,
                outcome,
                _instant(at),
                note,
                _instant(callback) if callback else None,
                _promises(cells.get("promise", ""), cells.get("due", "")),
            )


def _promises(texts: str, dues: str) -> tuple[object, ...]:
    """Promises as written, read back for comparison; as they are if they are not (an edit)."""
    try:
        return tuple(
            Promise(text, date.fromisoformat(due))
            for text, due in zip(parse_options(texts), parse_options(dues), strict=True)
        )
    except ValueError:
        return (texts, dues)


def _instant(text: str) -> datetime | str:
    """A time as written, read back for comparison; as it is if it is no time (an edit)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


if sys.platform == "win32":
    import msvcrt

    def _lock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)  # the lock covers the first byte; writes append
        msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)

else:
    import fcntl

    def _lock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
