"""Back to the CRM: the input file as it was, plus where each contact now stands.

Every original row, column and value is kept (order, unknown columns, encoding, delimiter
and line ends); quoting is redone only where a value needs it."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from outreach.columns import map_headers, normalize_header
from outreach.config import Config
from outreach.csvrows import Broken, open_rows
from outreach.exports import LineEnds
from outreach.plan import Call, Plan, stage_of

ADDED = ("stage", "stage_date", "next_call", "next_play", "outreach_note")


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
        result[line] = Standing(stage_of(last.play, last.step), last.start.date().isoformat(),
                                first.start.isoformat(), stage_of(first.play, first.step))  # fmt: skip
    for skip in plan.skipped:
        if skip.kind in ("dropped", "over capacity", "not due"):
            result[skip.line] = Standing(note=f"{skip.kind}: {skip.reason}")
    return result


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _encoding(path: Path) -> tuple[bytes, str]:
    """The file's byte-order mark, if any, and the encoding of the text after it."""
    with path.open("rb") as raw:
        start = raw.read(4)
    return next(((bom, name) for bom, name in _BOMS if start.startswith(bom)), (b"", "utf-8"))


def next_accounts(path: Path, plan: Plan, config: Config) -> Iterator[bytes]:
    """accounts.next.csv, in the input's own encoding, delimiter and line ends.

    Rows read by the same reader as intake, so lines agree with the plan's. A row that could
    not be read at all (a quote never closed) is left out: it is in skipped.csv."""
    standing = standings(plan)
    bom, encoding = _encoding(path)
    encoder = codecs.getincrementalencoder(encoding)(errors="surrogateescape")
    yield bom
    with open_rows(path) as rows:
        header = rows.header
        fields = map_headers(header, config.columns)
        # A file that came back from an earlier campaign has these columns already: reuse them.
        known = {normalize_header(h): i for i, h in enumerate(header)}
        known |= {normalize_header(name): i for i, name in enumerate(fields) if name}
        columns = {
            name: known[normalize_header(name)] for name in ADDED if normalize_header(name) in known
        }
        added = [name for name in ADDED if name not in columns]
        columns |= {name: len(header) + offset for offset, name in enumerate(added)}
        buffer = io.StringIO()
        ending = _line_end(path, encoding, bom)
        writer = csv.writer(
            LineEnds(buffer, ending), delimiter=rows.delimiter, lineterminator="\r\n"
        )
        writer.writerow([*header, *added])
        for item in rows:
            if isinstance(item, Broken):
                continue
            line, cells = item
            if not any(cell.strip() for cell in cells):
                writer.writerow([])  # a blank line stays blank
                continue
            row = cells + [""] * (len(header) + len(added) - len(cells))
            state = standing.get(line)
            if state is not None:
                if state.stage is not None:
                    row[columns["stage"]] = state.stage
                    row[columns["stage_date"]] = state.stage_date
                row[columns["next_call"]] = state.next_call
                row[columns["next_play"]] = state.next_play
                row[columns["outreach_note"]] = state.note
            writer.writerow(row)
            if buffer.tell() > 1 << 16:
                yield _drain(buffer, encoder)
        yield _drain(buffer, encoder)


def _line_end(path: Path, encoding: str, bom: bytes) -> str:
    """The input's line end: CRLF, LF or CR, as found first; CRLF (RFC 4180) when none is."""
    with path.open("rb") as raw:
        text = raw.read(1 << 16)[len(bom) :].decode(encoding, errors="ignore")
    ends = [(text.find(end), -len(end), end) for end in ("\r\n", "\n", "\r") if end in text]
    return min(ends)[2] if ends else "\r\n"  # at a tie "\r\n" beats the "\r" it starts with


def _drain(buffer: io.StringIO, encoder: codecs.IncrementalEncoder) -> bytes:
    data = encoder.encode(buffer.getvalue())
    buffer.seek(0)
    buffer.truncate()
    return data
