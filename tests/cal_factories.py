"""Contacts, calls and parsed calendars for the calendar and invitation tests."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil import tz
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream

from outreach.formats.calendars import CalendarWriter, CancelledCall, cancellation_order
from outreach.model.plan import Call
from outreach.model.plays import Play
from outreach.model.records import Contact
from outreach.model.settings import Config, Rep
from tests import factories

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
REP = "Dana Ruiz"
CONFIG = Config(reps={REP: Rep(REP, email="dana@vendor.example")})


def make_contact(**overrides: Any) -> Contact:
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
    return Contact(**factories.dial_of(values))


def make_call(
    contact: Contact | None = None,
    *,
    play: Play = "apology",
    step: int = 1,
    local: datetime | None = None,
    minutes: int = 30,
    **contact_overrides: Any,
) -> Call:
    """A call at `local` wall-clock time (naive) in the contact's zone."""
    contact = contact or make_contact(**contact_overrides)
    zone = ZoneInfo(contact.timezone)
    start = (local or datetime(2027, 3, 10, 10, 0)).replace(tzinfo=zone)  # noqa: DTZ001
    return factories.make_call(
        contact, play, step=step, start=start, minutes=minutes, owner=contact.owner
    )


def with_owner(call: Call, owner: str) -> Call:
    return replace(call, owner=owner, contact=replace(call.contact, owner=owner))


def strict_parse(data: bytes) -> StrictCalendar:
    """Parse with the `ical` package, which rejects what icalendar tolerates."""
    calendar: StrictCalendar = IcsCalendarStream.calendar_from_ics(data.decode())
    return calendar


def lenient_parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def vtimezone_only_utc(vtimezone_text: str, tzid: str, local: datetime) -> datetime:
    """The UTC instant of a naive local time, read with nothing but the VTIMEZONE text."""
    zone = tz.tzical(io.StringIO(vtimezone_text)).get(tzid)
    assert zone is not None
    return local.replace(tzinfo=zone).astimezone(UTC)


def wall(*parts: int) -> datetime:
    """A naive wall-clock time: what a VTIMEZONE or a contact's zone gives meaning to."""
    return datetime(*parts)  # noqa: DTZ001


def zoneinfo_utc(zone: str, local: datetime) -> datetime:
    """The same instant computed independently from the IANA data."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def physical_lines(data: bytes) -> list[bytes]:
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
    writer = CalendarWriter.for_calls(config, owner, [c for c, _ in ordered], now=now, cancelled=gone)
    sequences = sequences or {}
    parts = [writer.header()]
    parts += [writer.event(call, script, sequences.get(call.id, 0)) for call, script in ordered]
    parts += [writer.cancellation(record) for record in gone]
    parts.append(writer.footer())
    return b"".join(parts)
