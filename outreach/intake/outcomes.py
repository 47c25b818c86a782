"""Logged outcomes in: a line of a file of outcomes, or an outcome typed on the command line,
read against the plan whose calls they are; each problem named by its field.

A file of outcomes is any CSV with `id` and `outcome` columns, and optionally `at`, `note`,
`callback`, and `promise` with `due` (several separated by `|`, paired in order): plan.csv
with an `outcome` column filled in a spreadsheet, or a CRM's export of calls once the
settings' [columns] table names its columns. Lines with no outcome are passed
over: a plan's calls that were not made yet."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from outreach.errors import InputError
from outreach.intake.cells import parse_date, parse_moment, parse_options
from outreach.intake.columns import OUTCOME_ALIASES, map_headers
from outreach.intake.contacts import MAX_CELL
from outreach.intake.csvrows import Broken, open_rows, undecodable
from outreach.model.outcomes import (
    PROMISING,
    CallOutcome,
    Outcome,
    Promise,
    outcome_labels,
    read_outcome,
)
from outreach.model.records import Skip
from outreach.model.settings import Config
from outreach.model.text import plural, shown
from outreach.model.zones import zone_info


class PlannedCall(Protocol):
    """What logging needs of a call of the plan (plan.csv's line for it)."""

    @property
    def account_id(self) -> str: ...
    @property
    def contact_name(self) -> str: ...
    @property
    def play(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def timezone(self) -> str:
        """The contact's: times typed without a UTC offset are the contact's local times."""


class Problem(ValueError):
    """What is wrong with an outcome, and in which field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class OutcomeReader:
    """Reads outcomes of the calls of one plan (`plan`, by id, read from the file `source`),
    as the settings say: the labels of [outcomes], day-first dates; `now` is the run's clock."""

    def __init__(
        self, plan: Mapping[str, PlannedCall], source: str, config: Config, now: datetime
    ) -> None:
        self.plan = plan
        self.source = source
        self.config = config
        self.now = now
        self.labels = outcome_labels(config.outcomes)

    def read(
        self,
        call_id: str,
        outcome_text: str,
        at: str = "",
        note: str = "",
        callback: str = "",
        default_at: datetime | None = None,
        promises: Sequence[str] = (),
        dues: Sequence[str] = (),
    ) -> CallOutcome:
        """The outcome of the call `call_id`, made at `at` (else at `default_at`, else at the
        call's planned start), with the `promises` made on it, each due on the date of `dues` in
        the same place; Problem naming the field that is wrong."""
        call = self.plan.get(call_id)
        if call is None:
            raise Problem(
                "id", f"no call {shown(call_id)!r} in {self.source}" if call_id else "is empty"
            )
        try:
            outcome = read_outcome(outcome_text, self.labels)
        except ValueError as error:
            raise Problem("outcome", str(error)) from None
        if outcome == "callback" and not callback:
            raise Problem(
                "callback", "none given: the outcome callback needs the time the contact asked for"
            )
        if callback and outcome != "callback":
            raise Problem("callback", f"is only for the outcome callback, not {outcome}")
        if not at and default_at is None and call.start > self.now:
            raise Problem(
                "at",
                f"is empty, and the call is planned for {call.start.isoformat()}, "
                "after the run's clock: give the time it was made",
            )
        made = _local(self._moment("at", at, call) if at else default_at or call.start, call)
        return CallOutcome(
            call_id=call_id,
            outcome=outcome,
            at=made,
            note=unicodedata.normalize("NFC", note.strip()),
            callback=_local(self._moment("callback", callback, call), call) if callback else None,
            account_id=call.account_id,
            contact_name=call.contact_name,
            play=call.play,
            promises=self._promises(promises, dues, call.play, outcome, made.date()),
        )

    def _promises(
        self, texts: Sequence[str], dues: Sequence[str], play: str, outcome: Outcome, made: date
    ) -> tuple[Promise, ...]:
        """Each promise paired with its due date, on a call that may make promises, due no
        sooner than the day the call was made."""
        if len(texts) != len(dues):
            field = "due" if len(texts) > len(dues) else "promise"
            raise Problem(
                field,
                f"{plural(len(texts), 'promise')} and {plural(len(dues), 'due date')}: each "
                "promise needs the date it is due by, in the same order",
            )
        if texts and outcome not in PROMISING.get(play, ()):
            raise Problem(
                "promise",
                f"cannot go with {outcome} on the {play} call: promises go with an apology "
                "reached or agreed, or a follow-up declined, and the next follow-up checks them",
            )
        promises = []
        for text, typed in zip(texts, dues, strict=True):
            text = unicodedata.normalize("NFC", text.strip())
            if not text:
                raise Problem("promise", "is empty")
            if "|" in text:
                raise Problem(
                    "promise",
                    f"{shown(text)!r} holds |, which separates promises in a file: give each "
                    "with its own --promise",
                )
            try:
                due = parse_date(typed.strip(), self.config.input.day_first)
            except ValueError as error:
                raise Problem("due", str(error)) from None
            if due < made:
                raise Problem("due", f"{due} is before the call ({made}): a promise is for later")
            promises.append(Promise(text, due))
        return tuple(promises)

    def _moment(self, field: str, text: str, call: PlannedCall) -> datetime:
        try:
            return parse_moment(text, call.timezone, self.config.input.day_first)
        except ValueError as error:
            raise Problem(field, str(error)) from None

    def read_file(self, path: Path) -> Iterator[tuple[int, CallOutcome] | Skip]:
        """Each line of the file with an outcome, as (line, outcome) or as the Skip rejecting
        it. File-level faults (missing, unreadable, no id or outcome column) raise InputError."""
        with open_rows(path) as rows:
            header = [cell.strip() for cell in rows.header]
            columns = _columns(path, header, self.config.columns, rows.header_line)
            for row in rows:
                if isinstance(row, Broken):
                    yield _broken(path, header, row)
                    continue
                line, cells = row
                texts = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns}
                if texts["outcome"]:
                    yield self._line(path, line, texts)

    def _line(self, path: Path, line: int, texts: dict[str, str]) -> tuple[int, CallOutcome] | Skip:
        for field, text in texts.items():
            if len(text) > MAX_CELL:
                reason = f"is {len(text):,} characters long; at most {MAX_CELL:,} are read"
                return _rejected(path, line, field, reason)
            if undecodable(text):
                return _rejected(path, line, field, "is not UTF-8 text; save the file as CSV UTF-8")
        try:
            return line, self.read(
                texts["id"],
                texts["outcome"],
                texts.get("at", ""),
                texts.get("note", ""),
                texts.get("callback", ""),
                promises=parse_options(texts.get("promise", "")),
                dues=parse_options(texts.get("due", "")),
            )
        except Problem as problem:
            return _rejected(path, line, problem.field, str(problem))


def _columns(
    path: Path, header: list[str], mapping: Mapping[str, str], line: int
) -> list[tuple[str, int]]:
    """(field, index) of each outcome column of the header; InputError without id or outcome,
    or with two columns that read as one field."""
    found: dict[str, int] = {}
    for i, field in enumerate(map_headers(header, mapping, OUTCOME_ALIASES)):
        if field is None:
            continue
        if field in found:
            both = f"columns {header[found[field]]!r} and {header[i]!r} both read as {field}"
            raise InputError(path, both, line=line)
        found[field] = i
    missing = [field for field in ("id", "outcome") if field not in found]
    if missing:
        raise InputError(
            path,
            f"no {' and no '.join(missing)} column: a file of outcomes has the columns id and "
            "outcome (and may have at, note, callback, promise, due); name a CRM's columns in "
            'the settings\' [columns], like "Call Result" = "outcome"',
            line=line,
        )
    return list(found.items())


def _local(moment: datetime, call: PlannedCall) -> datetime:
    """In the contact's zone, to the second: as outcomes.csv shows it, like plan.csv."""
    return moment.astimezone(zone_info(call.timezone)).replace(microsecond=0)


def _broken(path: Path, header: list[str], row: Broken) -> Skip:
    """A line csv could not read (a quote left open), named by its column where known."""
    column = None
    if row.column is not None and row.column < len(header):
        column = header[row.column]
    again = f"; reading goes on from line {row.again}" if row.again else ""
    return _rejected(path, row.line, column, row.reason + again)


def _rejected(path: Path, line: int, field: str | None, reason: str) -> Skip:
    return Skip(str(path), line, "rejected", reason, field)
