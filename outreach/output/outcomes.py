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
from datetime import datetime
from pathlib import Path

from outreach.errors import OutputError
from outreach.formats.tables import csv_rows, csv_text, from_spreadsheet_cell
from outreach.model.outcomes import CallOutcome
from outreach.model.records import Skip
from outreach.output.confined import ConfinedFolder
from outreach.output.folder import OUTCOMES

OUTCOME_COLUMNS = ("id", "outcome", "at", "note", "callback", "account_id", "contact_name", "play")


def outcome_row(outcome: CallOutcome) -> tuple[str, ...]:
    """The outcome's cells, in the order of OUTCOME_COLUMNS."""
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
    )


class OutcomesLog:
    """The outcomes recorded in outcomes.csv, and those added since it was read."""

    def __init__(self, recorded: bytes, path: Path) -> None:
        self._keys = set(_recorded_keys(recorded, path))
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
        self._keys.add(outcome.key)
        self.added.append(outcome)
        return True

    def appended(self) -> bytes:
        """What to append to the file: the lines added (after the header, in a new file)."""
        rows = map(outcome_row, self.added)
        text = (
            "".join(csv_text(OUTCOME_COLUMNS, rows))
            if self._new
            else csv_rows(OUTCOME_COLUMNS, rows)
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


def _recorded_keys(data: bytes, path: Path) -> Iterator[tuple[object, ...]]:
    """The key (see CallOutcome.key) of each line of outcomes.csv as outreach writes it; an
    OutputError if its header is not outreach's, as lines appended to it would be misread."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    rows = csv.reader(io.StringIO(text, newline=""))  # a note's line breaks stay in the note
    header = next(rows, None)
    if header is not None and tuple(cell.strip() for cell in header) != OUTCOME_COLUMNS:
        raise OutputError(
            f"{path}: its first line is not the header outreach writes ({','.join(OUTCOME_COLUMNS)}); "
            "move the file away, and outreach log starts a new one"
        )
    for row in rows:
        if len(row) >= 5:
            call_id, outcome, at, note, callback = map(from_spreadsheet_cell, row[:5])
            yield (call_id, outcome, _instant(at), note, _instant(callback) if callback else None)


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
