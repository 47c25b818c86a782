"""One iCalendar file per rep: every planned call as an event that imports cleanly.

Interface (the `generate` command writes the bytes; nothing here touches files or the clock),
streamed, so that a large plan's scripts are never all in memory:

    writer = CalendarWriter.for_calls(config, owner, calls, now=now, cancelled=cancelled)
    out.write(writer.header())
    for call in calls:                      # in plan order: start, then id
        out.write(writer.event(call, render(call), sequence=sequences.get(call.id, 0)))
    for record in sorted(cancelled, key=cancellation_order):
        out.write(writer.cancellation(record))
    out.write(writer.footer())

Events come by start, then id; cancellations after them, in the same order. Properties come
in icalendar's order, and the bytes are icalendar's (see `icsformat`), so the library stays
the reference for the format.

The calendar is `METHOD:PUBLISH` with the rep as each event's ORGANIZER, as RFC 5546
requires. A rep without an e-mail gets a calendar without METHOD and without ORGANIZER:
that is a plain RFC 5545 calendar, which Google, Outlook and Apple import the same way,
whereas a made-up organizer address would show the rep's own calls as someone else's
meetings (Google then refuses to let the rep edit them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from icalendar.prop import vDDDTypes

from outreach.formats.ics import (
    common_name,
    content_lines,
    escape_text,
    local_time,
    mailto,
    utc_time,
)
from outreach.formats.vtimezone import vtimezone_ical, writes_as_utc
from outreach.model.plan import Call
from outreach.model.plays import Play
from outreach.model.settings import Config
from outreach.model.zones import zone_info
from outreach.planning.escalation import escalation
from outreach.planning.invitations import organizer_email

PRODID = "-//outreach//Win-back call planner//EN"

PLAY_TITLES: Mapping[Play, str] = {
    "apology": "Apology call",
    "follow_up": "Follow-up call",
    "small_step": "Small-step call",
    "substantial_offer": "Offer call",
    "clear_the_air": "Clear-the-air call",
    "keep_in_touch": "Keep-in-touch call",
}


@dataclass(frozen=True, slots=True)
class CancelledCall:
    """A call an earlier run put in a calendar and this run no longer plans.

    Read from the earlier run's plan.csv; the calendar gets it once more as STATUS:CANCELLED
    with the same UID and a higher SEQUENCE, so importing clients remove it.
    """

    id: str
    owner: str
    summary: str
    start: datetime
    """Aware, in `timezone`."""
    end: datetime
    timezone: str
    sequence: int
    """The SEQUENCE the rep's calendar holds now; the cancellation carries one more."""


def cancellation_order(record: CancelledCall) -> tuple[datetime, str]:
    return record.start, record.id


def calendar_name(owner: str) -> str:
    return f"Win-back calls — {owner}"


def event_uid(call_id: str, config: Config) -> str:
    """Stable across runs and reschedules, so a re-import updates instead of duplicating."""
    return f"{call_id}@{config.calendar.uid_domain}"


def events_by_uid(calendar: bytes) -> dict[str, bytes]:
    """The VEVENTs of a calendar this module wrote, each as written, by UID: a rerun takes an
    unchanged call's event from there instead of making it again. A property's line starts
    after a CRLF, a folded line's continuation after a CRLF and a space: text in a value can
    look like neither."""
    events: dict[str, bytes] = {}
    start = calendar.find(b"\r\nBEGIN:VEVENT\r\n")
    while start >= 0:
        end = calendar.find(b"\r\nEND:VEVENT\r\n", start)
        if end < 0:
            break
        event = calendar[start + 2 : end + 14]
        at = event.find(b"\r\nUID:")
        if at >= 0:
            last = event.find(b"\r\n", at + 6)
            while event.startswith(b"\r\n ", last):  # a folded line goes on
                last = event.find(b"\r\n", last + 3)
            events[event[at + 6 : last].replace(b"\r\n ", b"").decode()] = event
        start = calendar.find(b"\r\nBEGIN:VEVENT\r\n", end + 12)
    return events


def event_summary(call: Call) -> str:
    """The event's title, e.g. `Apology call — Dana Ruiz, Northwind Traders`."""
    return f"{PLAY_TITLES[call.play]} — {call.contact.contact_name}, {call.contact.company}"


@cache
def _trigger(minutes: int) -> str:
    return bytes(vDDDTypes(timedelta(minutes=-minutes)).to_ical()).decode()


class CalendarWriter:
    """Writes one rep's calendar piece by piece; see the module docstring for the order."""

    def __init__(
        self,
        config: Config,
        owner: str,
        *,
        now: datetime,
        zones: Iterable[str],
        years: tuple[int, int],
    ) -> None:
        self.config = config
        self.owner = owner
        self.dtstamp = utc_time(now)
        self.zones = tuple(sorted(set(zones)))
        self.years = years
        self.email = organizer_email(config, owner)
        self.trigger = _trigger(config.calendar.reminder_minutes)
        self.organizer = (
            [f"ORGANIZER;{common_name(owner)}:{mailto(self.email)}"] if self.email else []
        )

    @classmethod
    def for_calls(
        cls,
        config: Config,
        owner: str,
        calls: Iterable[Call],
        *,
        now: datetime,
        cancelled: Iterable[CancelledCall] = (),
    ) -> CalendarWriter:
        """A writer whose VTIMEZONEs cover these calls and cancellations."""
        spans = [(call.timezone, call.start, call.end) for call in calls]
        spans += [(record.timezone, record.start, record.end) for record in cancelled]
        zones = {zone for zone, _, _ in spans}
        years = [moment.year for _, start, end in spans for moment in (start, end)]
        first, last = (min(years), max(years)) if years else (now.year, now.year)
        return cls(config, owner, now=now, zones=zones, years=(first, last))

    def header(self) -> bytes:
        name = escape_text(calendar_name(self.owner))
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
        if self.email:
            lines.append("METHOD:PUBLISH")
        lines += [f"NAME:{name}", f"X-WR-CALNAME:{name}"]
        timezones = [
            vtimezone_ical(zone, *self.years) for zone in self.zones if not writes_as_utc(zone)
        ]
        return content_lines(lines) + b"".join(timezones)

    def footer(self) -> bytes:
        return b"END:VCALENDAR\r\n"

    def event(self, call: Call, script: str, sequence: int = 0) -> bytes:
        """The VEVENT of one planned call, with the full script as its DESCRIPTION."""
        summary = escape_text(event_summary(call))
        lines = self._opening(summary, call.timezone, call.start, call.end, call.id, sequence)
        joins = escalation(call, self.config)
        if joins and joins.email:  # rule 16: the manager is at the apology, in their calendar too
            lines.append(
                f"ATTENDEE;{common_name(joins.manager)};PARTSTAT=NEEDS-ACTION"
                f";ROLE=REQ-PARTICIPANT;RSVP=TRUE:{mailto(joins.email)}"
            )
        lines += [f"CATEGORIES:{escape_text(call.play)}", f"DESCRIPTION:{escape_text(script)}"]
        phone = call.contact.dial
        if phone:
            lines.append(f"LOCATION:{escape_text(phone.international)}")
        lines += self.organizer
        lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE"]
        if phone:
            lines.append(f"URL:{phone.tel}")
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{summary}",
            f"TRIGGER:{self.trigger}",
            "END:VALARM",
            "END:VEVENT",
        ]
        return content_lines(lines)

    def cancellation(self, record: CancelledCall) -> bytes:
        """The VEVENT that takes a call no longer planned out of the rep's calendar."""
        lines = self._opening(
            escape_text(record.summary),
            record.timezone,
            record.start,
            record.end,
            record.id,
            record.sequence + 1,
        )
        lines += self.organizer
        lines += ["STATUS:CANCELLED", "TRANSP:TRANSPARENT", "END:VEVENT"]
        return content_lines(lines)

    def _opening(
        self, summary: str, zone: str, start: datetime, end: datetime, call_id: str, sequence: int
    ) -> list[str]:
        """BEGIN, then icalendar's leading properties: SUMMARY to SEQUENCE."""
        if zone not in self.zones:
            raise ValueError(f"{zone} is not among this calendar's time zones")
        if not self.years[0] <= start.year <= end.year <= self.years[1]:
            raise ValueError(f"{start} is outside the years {self.years} the calendar covers")
        return [
            "BEGIN:VEVENT",
            f"SUMMARY:{summary}",
            date_time("DTSTART", start, zone),
            date_time("DTEND", end, zone),
            f"DTSTAMP:{self.dtstamp}",
            f"UID:{escape_text(event_uid(call_id, self.config))}",
            f"SEQUENCE:{sequence}",
        ]


def date_time(name: str, moment: datetime, zone: str) -> str:
    """`DTSTART;TZID=zone:local`, or `DTSTART:…Z` in a zone icalendar writes as UTC."""
    if writes_as_utc(zone):
        return f"{name}:{utc_time(moment)}"
    return f"{name};TZID={zone}:{local_time(moment.astimezone(zone_info(zone)))}"
