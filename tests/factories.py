"""Inputs for tests, built directly: records (contacts and calls), settings, calendars, CSV rows
and files, and the command line run in-process on them.

Every datetime is aware, in the contact's zone unless a test says otherwise; `wall` makes the
naive wall-clock times a VTIMEZONE or a contact's zone gives meaning to."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from click.testing import CliRunner
from dateutil import tz
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream

from outreach.cli import cli
from outreach.formats.calendars import CalendarWriter, CancelledCall, cancellation_order
from outreach.model.money import Money
from outreach.model.phone import Phone, read_phone, zone_region
from outreach.model.plan import Call, Flag, call_id
from outreach.model.plays import Play
from outreach.model.records import Contact
from outreach.model.settings import Config, Rep

# --- The example in the repository ---

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "contacts.example.csv"
SETTINGS = ROOT / "outreach.toml"


# --- Contacts and calls ---


def dial_of(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with `dial` read from `phone` as intake reads it (in the zone's country),
    unless a test sets it; None for a phone that intake would reject."""
    phone = fields.get("phone")
    if "dial" in fields or not phone:
        return fields
    dial: Phone | None
    try:
        dial = read_phone(phone, zone_region(fields.get("timezone") or ""))
    except ValueError:
        dial = None
    return {**fields, "dial": dial}


def usd(amount: int | str) -> Money:
    return Money(Decimal(amount), "USD")


def make_contact(**overrides: Any) -> Contact:
    """Dana Ruiz of Northwind Traders, upset after a late delivery the company caused."""
    fields: dict[str, Any] = {
        "line": 2,
        "account_id": "A-1001",
        "company": "Northwind Traders",
        "contact_name": "Dana Ruiz",
        "status": "upset",
        "owner": "Marcus Chen",
        "timezone": "America/New_York",
        "contact_title": "Head of Procurement",
        "email": "dana.ruiz@northwind.example",
        "phone": "+1 212 555 0142",
        "fault": "company",
        "reason": "delivery",
        "incident": "Spring order of 400 units arrived nine days late, missing their store launch",
        "incident_date": date(2026, 11, 9),
        "root_cause": "A carrier change at our Newark warehouse was not communicated to dispatch",
        "changes_made": "Dispatch now confirms every carrier change with the account team",
        "options": (
            "Credit of 10% on the delayed order",
            "Free expedited shipping for the next two orders",
        ),
        "low_risk_offer": "A trial order of display stands",
        "account_value": usd(48000),
        "last_contact": date(2026, 11, 10),
        "attempts": 1,
        "notes": "Escalated to her CFO",
    }
    fields.update(overrides)
    return Contact(**dial_of(fields))


def at(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, zone: str = "America/New_York"
) -> datetime:
    """An aware datetime, by default 10:00 in New York."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def make_call(
    contact: Contact | None = None,
    play: Play = "apology",
    *,
    step: int = 1,
    start: datetime | None = None,
    minutes: int = 30,
    owner: str | None = None,
    flags: tuple[Flag, ...] = (),
    handover_from: str | None = None,
) -> Call:
    """A call to `contact` (default: make_contact()) by its owner, at 10:00 on 16 Nov 2026
    in the contact's zone unless `start` says otherwise."""
    contact = contact or make_contact()
    start = start or at(2026, 11, 16, zone=contact.timezone)
    if start.tzinfo is None:
        raise ValueError("make_call needs an aware start")
    return Call(
        id=call_id(contact.account_id, contact.contact_name, play, step),
        contact=contact,
        owner=owner or contact.handoff_to or contact.owner,
        play=play,
        step=step,
        at=int(start.timestamp()),
        minutes=minutes,
        flags=flags,
        handover_from=handover_from,
    )


def handed_over(contact: Contact | None = None, to: str = "Priya Nair") -> Contact:
    """The contact with its account handed over to another rep (rule 13)."""
    return replace(contact or make_contact(), handoff_to=to)


def make_handover_call(
    contact: Contact | None = None, play: Play = "apology", *, to: str = "Priya Nair", **kwargs: Any
) -> Call:
    """A call made by the rep the account was handed over to, from its previous owner."""
    contact = handed_over(contact, to)
    return make_call(contact, play, owner=to, handover_from=contact.owner, **kwargs)


# --- Calendars and invitations: the rep Dana Ruiz calls Jordan Lee ---

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
REP = "Dana Ruiz"
CONFIG = Config(reps={REP: Rep(REP, email="dana@vendor.example")})


def calendar_contact(**overrides: Any) -> Contact:
    """Jordan Lee of Northwind Traders, upset, called by REP: only the columns intake requires."""
    values: dict[str, Any] = {
        "line": 2,
        "account_id": "A-1",
        "company": "Northwind Traders",
        "contact_name": "Jordan Lee",
        "status": "upset",
        "owner": REP,
        "timezone": "America/New_York",
        "email": "jordan@northwind.example",
        "phone": "+1 212 555 0100",
    }
    values.update(overrides)
    return Contact(**dial_of(values))


def calendar_call(
    contact: Contact | None = None,
    *,
    play: Play = "apology",
    step: int = 1,
    local: datetime | None = None,
    minutes: int = 30,
    **contact_overrides: Any,
) -> Call:
    """A call by the contact's owner at `local` wall-clock time (naive; default 10:00 on
    10 March 2027) in the contact's zone, to calendar_contact(**contact_overrides) by default."""
    contact = contact or calendar_contact(**contact_overrides)
    zone = ZoneInfo(contact.timezone)
    start = (local or wall(2027, 3, 10, 10)).replace(tzinfo=zone)
    return make_call(contact, play, step=step, start=start, minutes=minutes, owner=contact.owner)


def with_owner(call: Call, owner: str) -> Call:
    """The call and its contact owned by another rep."""
    return replace(call, owner=owner, contact=replace(call.contact, owner=owner))


def strict_parse(data: bytes) -> StrictCalendar:
    """Parse with the `ical` package, which rejects what icalendar tolerates."""
    calendar: StrictCalendar = IcsCalendarStream.calendar_from_ics(data.decode())
    return calendar


def lenient_parse(data: bytes) -> icalendar.Calendar:
    """Parse with icalendar, the library that wrote the file."""
    return icalendar.Calendar.from_ical(data)


def vtimezone_only_utc(vtimezone_text: str, tzid: str, local: datetime) -> datetime:
    """The UTC instant of a naive local time, read with nothing but the VTIMEZONE text."""
    zone = tz.tzical(io.StringIO(vtimezone_text)).get(tzid)
    assert zone is not None
    return local.replace(tzinfo=zone).astimezone(UTC)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive wall-clock time: what a VTIMEZONE or a contact's zone gives meaning to."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def as_utc(moment: date | None) -> datetime:
    """A parsed DTSTART or DTEND as a UTC instant; a parser's date-only value fails the test."""
    assert isinstance(moment, datetime), moment
    return moment.astimezone(UTC)


def zoneinfo_utc(zone: str, local: datetime) -> datetime:
    """The same instant computed independently from the IANA data."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def physical_lines(data: bytes) -> list[bytes]:
    """The lines of an iCalendar file as written, folds not undone."""
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def assert_well_formed(data: bytes) -> None:
    """CRLF line ends only, no physical line over 75 octets, each line valid UTF-8."""
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare LF"
    assert b"\r" not in data.replace(b"\r\n", b""), "a bare CR"
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises on a split character


# --- CSV inputs: a few readable rows instead of fixture files ---

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


def build_calendar(
    config: Config,
    owner: str,
    entries: Iterable[tuple[Call, str]],
    *,
    now: datetime,
    sequences: Mapping[str, int] | None = None,
    cancelled: Iterable[CancelledCall] = (),
) -> bytes:
    """The whole calendar of `owner`, written through CalendarWriter as `generate` writes it:
    their calls (by start, then id) with scripts, then the cancellations."""
    ordered = sorted(entries, key=lambda entry: (entry[0].at, entry[0].id))
    gone = sorted(cancelled, key=cancellation_order)
    writer = CalendarWriter.for_calls(
        config, owner, [c for c, _ in ordered], now=now, cancelled=gone
    )
    sequences = sequences or {}
    parts = [writer.header()]
    parts += [writer.event(call, script, sequences.get(call.id, 0)) for call, script in ordered]
    parts += [writer.cancellation(record) for record in gone]
    parts.append(writer.footer())
    return b"".join(parts)


def row(**overrides: Any) -> dict[str, str]:
    """One CSV row as the user types it: Dana Ruiz of Acme Corp, upset, unless overridden."""
    return {**BASE_ROW, **{k: str(v) for k, v in overrides.items()}}


def csv_text(
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
    path.write_text(csv_text(rows, header, delimiter), encoding=encoding, newline="")
    return path


def team_rows(count: int = 30) -> list[dict[str, str]]:
    """Contacts of three reps, upset and lapsed in turn: work that splits over processes."""
    return [
        row(contact_name=f"C{i}", owner=f"Rep {i % 3}", status=("upset", "lapsed")[i % 2])
        for i in range(count)
    ]


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file outreach wrote, by header; cells keep their line breaks."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- The command line, run in-process ---


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The command line run in-process: exit status, stdout and stderr. Any exception but
    the exit itself is a bug the user would see as a traceback, so it fails the test."""
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def split_brief(script: str) -> tuple[str, str]:
    """The script's brief (for the rep to read), and the rest of it."""
    head, _, rest = script.partition("\n## Brief\n")
    end = rest.index("\n\n", rest.index("\n- **Earlier attempts:**"))
    return rest[:end], head + rest[end:]
