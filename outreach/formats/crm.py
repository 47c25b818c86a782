"""Back to the CRM: the input file as it was, plus where each contact now stands.

Every line of the input is kept as it is, byte for byte (the `sep=` line, blank lines,
quoting, line ends, encoding and byte-order mark); outreach's own columns are added at the
end of each row it read (see ADDED). A rejected row is kept as it is, without them: it is in
skipped.csv, and the CRM has it as it was. Only a file that already holds outreach's columns
(from an earlier campaign) has its valid rows written anew, with the same values, so that
those columns can be updated in place."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from outreach.formats.tables import LineEnds, spreadsheet_cell
from outreach.intake.cells import promises_cell
from outreach.intake.columns import normalize_header
from outreach.intake.csvrows import Broken, byte_order_mark, open_rows, open_text
from outreach.intake.owncolumns import own_fields
from outreach.model.plan import Call, Plan
from outreach.model.plays import stage_of
from outreach.model.settings import Config
from outreach.planning.history import Standing as CallStanding

ADDED = (
    "outreach_stage",
    "outreach_stage_date",
    "outreach_next_call",
    "outreach_next_play",
    "outreach_note",
)
"""Named so that no CRM column is taken for one; the first two are what outreach reads back."""
AFTER_CALLS = (
    "outreach_last_outcome",
    "outreach_last_outcome_at",
    "outreach_attempts",
    "outreach_check_ins",
    "outreach_promises",
)
"""Added too when the campaign read outcomes (planning.history): the stage columns then name
the last call made, not the last planned, and the next campaign continues from it, checking
the promises still open (intake.cells.promises_cell)."""


@dataclass(frozen=True, slots=True)
class Standing:
    stage: str | None = None
    stage_date: str = ""
    next_call: str = ""
    next_play: str = ""
    note: str = ""


def standings(plan: Plan) -> dict[int, Standing]:
    """Input line → what the plan says of that row."""
    calls_of: dict[int, list[Call]] = {}
    for call in plan.calls:
        calls_of.setdefault(call.contact.line, []).append(call)
    result: dict[int, Standing] = {}
    for line, calls in calls_of.items():
        first = min(calls, key=lambda c: c.at)
        last = max(calls, key=lambda c: c.at)
        result[line] = Standing(
            stage_of(last.play, last.step),
            last.start.date().isoformat(),
            first.start.isoformat(),
            stage_of(first.play, first.step),
            first.note or "",
        )
    for skip in plan.skipped:
        if skip.kind in ("dropped", "over capacity", "not due", "review"):
            result[skip.line] = Standing(note=f"{skip.kind}: {skip.reason}")
    return result


def next_accounts(
    path: Path, plan: Plan, config: Config, calls: Mapping[int, CallStanding] | None = None
) -> Iterator[bytes]:
    """accounts.next.csv, in the input's own encoding, delimiter and line ends; with `calls`,
    where each contact's calls stand after their outcomes, by input line.

    Rows read by the same reader as intake, so lines agree with the plan's."""
    standing = standings(plan)
    names = ADDED if calls is None else (*ADDED, *AFTER_CALLS)
    rejected = {skip.line for skip in plan.skipped if skip.kind == "rejected"}
    bom, encoding = byte_order_mark(path)
    encoder = codecs.getincrementalencoder(encoding)(errors="surrogateescape")
    yield bom
    with open_rows(path) as rows:
        header = rows.header
        width = len(header)
        fields = own_fields(path, [h.strip() for h in header], config.columns)
        read_from = {field: i for i, field in enumerate(fields) if field in ("stage", "stage_date")}
        named = {normalize_header(h): i for i, h in enumerate(header)}
        present = {
            i: named[normalize_header(name)]
            for i, name in enumerate(names)
            if normalize_header(name) in named
        }
        appended = [name for i, name in enumerate(names) if i not in present]
        out = _Rows(rows.delimiter)
        out.text(_preamble(path, rows.header_line))
        out.append(rows.text(), appended)
        for item in rows:
            raw = rows.text(item)
            if isinstance(item, Broken) or item[0] in rejected or not "".join(item[1]).strip():
                out.text(raw)  # rejected, or a blank line: as it is
                continue
            cells = item[1]
            state = standing.get(item[0], Standing())
            stage = state.stage or _cell(cells, read_from.get("stage"))
            stage_date = (
                state.stage_date if state.stage else _cell(cells, read_from.get("stage_date"))
            )
            added = [stage, stage_date, state.next_call, state.next_play, state.note]
            if calls is not None:
                earlier = (
                    _cell(cells, read_from.get("stage")),
                    _cell(cells, read_from.get("stage_date")),
                    _cell(cells, present.get(names.index("outreach_attempts"))),
                    _cell(cells, present.get(names.index("outreach_check_ins"))),
                    _cell(cells, present.get(names.index("outreach_promises"))),
                )
                added[:2], after = _after_calls(calls.get(item[0]), *earlier)
                added += after
            added = [spreadsheet_cell(value) for value in added]
            if present:
                row = (cells + [""] * width)[:width]
                for i, column in present.items():
                    row[column] = added[i]
                out.write(row + [added[i] for i in range(len(names)) if i not in present], raw)
            else:
                kept = (
                    raw if len(cells) <= width else _trimmed(raw, len(cells), width, rows.delimiter)
                )
                if kept is None:  # quoted empty cells past the header's width
                    out.write(cells[:width] + added, raw)
                else:
                    out.append(kept, added, len(cells), width)
            if out.size() > 1 << 16:
                yield out.drain(encoder)
        yield out.drain(encoder)


def _after_calls(
    calls: CallStanding | None,
    stage: str,
    stage_date: str,
    attempts: str,
    check_ins: str,
    promises: str,
) -> tuple[list[str], list[str]]:
    """The stage columns (the last call made) and AFTER_CALLS' cells; the unreached tries and
    the check-ins that found nothing (rule 14) are added to those an earlier campaign counted.
    A contact with nothing logged keeps the input's."""
    if calls is None:
        return [stage, stage_date], ["", "", attempts, check_ins, promises]
    stage, stage_date = calls.stage or "", calls.stage_day.isoformat() if calls.stage_day else ""
    last = calls.last
    earlier = int(attempts) if attempts.isdigit() else 0
    return [stage, stage_date], [
        last.outcome if last else "",
        last.at.isoformat() if last else "",
        str(earlier + calls.attempts + calls.found_nothing),
        str(calls.check_ins),
        promises_cell(calls.promises),
    ]


def _cell(cells: list[str], column: int | None) -> str:
    return cells[column].strip() if column is not None and column < len(cells) else ""


def _preamble(path: Path, header_line: int) -> str:
    """The lines before the header (a `sep=;` line, blank lines), as they are in the file."""
    with open_text(path) as handle:
        return "".join(islice(handle, header_line - 1))


def _trimmed(raw: str, cells: int, width: int, delimiter: str) -> str | None:
    """The row without its empty cells past the header's width (`a,b,,` under `x,y`), or None
    when they are not bare delimiters at its end."""
    body, ending = _split_end(raw)
    extra = delimiter * (cells - width)
    return body[: -len(extra)] + ending if body.endswith(extra) else None


def _split_end(raw: str) -> tuple[str, str]:
    body = raw.rstrip("\r\n")
    return body, raw[len(body) :]


class _Rows:
    """accounts.next.csv's text, as it is written: lines kept, cells appended or rows anew."""

    def __init__(self, delimiter: str) -> None:
        self._buffer = io.StringIO()
        self._delimiter = delimiter
        self._cells = io.StringIO()
        # "\r\n" makes csv quote a cell holding either; LineEnds then drops it (see there).
        self._writer = csv.writer(
            LineEnds(self._cells, ""), delimiter=delimiter, lineterminator="\r\n"
        )

    def text(self, raw: str) -> None:
        self._buffer.write(raw)

    def append(self, raw: str, added: Sequence[str], cells: int = 0, width: int = 0) -> None:
        """The row as it is in the file, a short one filled up to `width` cells, then `added`."""
        if not added:
            self._buffer.write(raw)
            return
        body, ending = _split_end(raw)
        fill = self._delimiter * max(0, width - cells)
        self._buffer.write(body + fill + self._delimiter + self._format(added) + ending)

    def write(self, row: Sequence[str], raw: str) -> None:
        """The row anew, quoted where a value needs it, ended as the row it replaces."""
        self._buffer.write(self._format(row) + _split_end(raw)[1])

    def _format(self, cells: Sequence[str]) -> str:
        self._cells.seek(0)
        self._cells.truncate()
        self._writer.writerow(cells)
        return self._cells.getvalue()

    def size(self) -> int:
        return self._buffer.tell()

    def drain(self, encoder: codecs.IncrementalEncoder) -> bytes:
        data = encoder.encode(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
