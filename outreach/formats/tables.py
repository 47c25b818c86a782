"""The plan as rows for other tools (CSV, JSON) and as a table for people."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.model.plan import Call, Plan
from outreach.model.records import Skip
from outreach.model.settings import Config
from outreach.model.text import terminal_text  # re-exported: its old home

PLAN_FIELDS = (
    "id",
    "owner",
    "account_id",
    "company",
    "contact_name",
    "phone",
    "tel",
    "play",
    "step",
    "start",
    "end",
    "timezone",
    "flags",
    "account_value",
)
SKIPPED_FIELDS = ("line", "kind", "field", "reason", "account_id", "contact_name", "owner")


def plan_row(call: Call) -> tuple[str, ...]:
    """The call's cells, in the order of PLAN_FIELDS."""
    contact = call.contact
    phone = contact.dial
    return (
        call.id,
        call.owner,
        contact.account_id,
        contact.company,
        contact.contact_name,
        phone.international if phone else "",
        phone.tel if phone else "",
        call.play,
        str(call.step),
        call.start.isoformat(),
        call.end.isoformat(),
        call.timezone,
        " ".join(call.flags),
        str(contact.account_value or ""),
    )


def skipped_row(skip: Skip) -> tuple[str, ...]:
    """The skipped row's cells, in the order of SKIPPED_FIELDS."""
    return (
        str(skip.line),
        skip.kind,
        skip.field or "",
        skip.reason,
        skip.account_id or "",
        skip.contact_name or "",
        skip.owner or "",
    )


def skip_json(skip: Skip) -> dict[str, object]:
    return {**_record(SKIPPED_FIELDS, skipped_row(skip)), "line": skip.line, "field": skip.field}


def _record(fields: Sequence[str], row: Sequence[str]) -> dict[str, object]:
    return dict(zip(fields, row, strict=True))


class LineEnds:
    """Where a csv writer puts its rows, each ended by `ending`.

    The csv module quotes a cell holding a CR or an LF only when that character is in its
    line terminator, so a cell with a bare CR written with "\\n" line ends would split its
    row when read back. The writer is given "\\r\\n", and this puts `ending` in its place."""

    def __init__(self, buffer: io.StringIO, ending: str) -> None:
        self.buffer = buffer
        self.ending = ending

    def write(self, row: str) -> int:
        return self.buffer.write(row.removesuffix("\r\n") + self.ending)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as the text it is (OWASP, CSV injection): one that begins
    like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a `'` in front, which Excel, LibreOffice
    and Google Sheets read as "text follows". So `=HYPERLINK(…)` is not run, and a phone
    number `+1 212 555 0142` reads as typed rather than as a sum. A cell that begins with `'`
    gets one more, so that `from_spreadsheet_cell` gives back every value exactly."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def from_spreadsheet_cell(cell: str) -> str:
    """The value `spreadsheet_cell` wrote."""
    return cell.removeprefix("'")


def csv_text(fields: Iterable[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """CSV text in chunks, the header first; each row's cells in the order of `fields`, made
    safe to open in a spreadsheet (see spreadsheet_cell)."""
    buffer = io.StringIO()
    writer = csv.writer(LineEnds(buffer, "\n"), lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(map(spreadsheet_cell, row))
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# Plan JSON is streamed in parts rather than one json.dumps of the whole plan, which holds the
# plan and the document at once: 259 MiB against 137 MiB at 10k contacts (benchmarks/run.py).
def json_calls(calls: Iterable[Call]) -> str:
    """The calls as items of plan JSON's `calls` list, indented for their place in it."""
    return ",\n".join(
        _indented(json.dumps(_call_json(call), indent=2, ensure_ascii=False), "    ")
        for call in calls
    )


def plan_json_text(start: date, calls: Iterable[str], skipped: Sequence[Skip]) -> Iterator[str]:
    """`{"start", "calls", "skipped"}` as json.dumps(indent=2) writes it, from the calls' items
    made in parts (by `json_calls`, one rep at a time) and joined here without a copy."""
    yield f'{{\n  "start": {json.dumps(start.isoformat())},\n  "calls": ['
    empty = True
    for part in calls:
        if part:
            yield ("\n" if empty else ",\n") + part
            empty = False
    yield "]" if empty else "\n  ]"
    listed = json.dumps([skip_json(skip) for skip in skipped], indent=2, ensure_ascii=False)
    yield f',\n  "skipped": {_indented(listed, "  ").lstrip()}\n}}'


def _indented(text: str, prefix: str) -> str:
    # Not textwrap.indent: it also breaks lines at U+2028 and U+0085, which json.dumps
    # leaves unescaped inside strings.
    return prefix + text.replace("\n", "\n" + prefix)


def _call_json(call: Call) -> dict[str, object]:
    return {**_record(PLAN_FIELDS, plan_row(call)), "step": call.step, "flags": list(call.flags)}


def csv_rows(fields: Iterable[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text of the rows without the header: a part of a file whose header is written apart."""
    return "".join(csv_text(fields, rows)).split("\n", 1)[1]


def plan_table(plan: Plan, config: Config) -> Iterator[str]:
    """One line per call: the rep's local time, the contact's, the play and who."""
    headers = ("rep", "rep's time", "contact's time", "play", "company", "contact", "flags")
    rows = [headers]
    for call in plan.calls:
        rep_zone = ZoneInfo(config.rep_timezone(call.owner))
        numbered = call.step > 1 or call.play == "keep_in_touch"
        rows.append(
            (
                terminal_text(call.owner),
                _local(call.start.astimezone(rep_zone), config.rep_timezone(call.owner)),
                _local(call.start, call.timezone),
                f"{call.play} {call.step}" if numbered else call.play,
                terminal_text(call.contact.company),
                terminal_text(call.contact.contact_name),
                ", ".join(flag.replace("_", " ") for flag in call.flags),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    for row in rows:
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()


def _local(moment: datetime, zone: str) -> str:
    abbreviation = moment.strftime("%Z")
    # Many zones have no abbreviation and print an offset like "+08"; the city reads better then.
    if abbreviation[:1] in "+-":
        # ... except for Etc/GMT+5, whose name reads backwards (it is UTC-5): the offset then.
        offset = moment.strftime("%z")
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        abbreviation = f"UTC{offset[:3]}:{offset[3:]}" if zone.startswith("Etc/") else city
    return moment.strftime("%a %Y-%m-%d %H:%M ") + abbreviation
