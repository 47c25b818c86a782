"""Invitation drafts: an e-mail a rep opens, checks and sends to schedule a call.

Interface (the `generate --invites` command writes the bytes; nothing is ever sent):

    reason = invitation_refusal(config, call)      # None, or why there is no draft
    if reason is None:
        data = build_invitation(config, call, body_text, now=now, sequence=n)

Rule 1 of the playbook: an e-mail may only schedule the call that resolves things. So only
lapsed contacts' clear-the-air and keep-in-touch calls are offered by e-mail, and only when
both sides have an address; an upset account's apology is a call now (rule 2).

The draft is an RFC 5322 message marked `X-Unsent: 1` (Outlook and Thunderbird open it as
a draft), multipart/mixed: the text body proposing the call (rendered by the caller from the
`invite` template) and one `text/calendar; method=REQUEST` part, attached as invite.ics so
every client shows it, holding exactly one VEVENT (Outlook reads only the first event of a
request) with the rep as ORGANIZER and the contact as ATTENDEE. The event keeps the UID and
SEQUENCE of the call in the rep's calendar, so the contact's reply updates that event. Its
DESCRIPTION is the invitation's body, never the call script, which holds internal notes.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from outreach.calendars import (
    PRODID,
    date_time,
    event_uid,
    is_usable_address,
    organizer_email,
)
from outreach.config import Config
from outreach.icsformat import common_name, content_lines, escape_text, utc_time
from outreach.plan import Call, Play
from outreach.vtimezone import vtimezone_ical, writes_as_utc

INVITED_PLAYS: frozenset[Play] = frozenset({"clear_the_air", "keep_in_touch"})
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_FALLBACK_DOMAIN = "outreach.invalid"
_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def invitation_refusal(config: Config, call: Call) -> str | None:
    """Why `call` gets no invitation draft, or None when it gets one.

    A rep without an e-mail is the one case the caller should warn about: every other
    reason is the playbook working as intended.
    """
    contact = call.contact
    if contact.status != "lapsed":
        return "only lapsed contacts are invited; an upset account gets a call now"
    if call.play not in INVITED_PLAYS:
        return "only clear-the-air and keep-in-touch calls are proposed by e-mail"
    if not contact.email:
        return f"{contact.contact_name} has no e-mail address"
    if not is_usable_address(contact.email):
        return f"{contact.email!r} cannot be used as an invitation's address"
    if organizer_email(config, call.owner) is None:
        return f'rep {call.owner} has no e-mail address; set reps."{call.owner}".email'
    return None


def invitation_summary(call: Call) -> str:
    """What the contact sees in their calendar: who calls, never the internal play name."""
    return f"Call with {call.owner}"


def invitation_subject(call: Call) -> str:
    start = call.start
    return f"Call with {call.owner} on {start:%A} {start.day} {start:%B %Y, %H:%M} ({start:%Z})"


def message_id(config: Config, call: Call, sequence: int) -> str:
    """Derived from the call and its SEQUENCE: a re-run gives the same draft the same id."""
    domain = config.calendar.uid_domain
    if not _DOMAIN.fullmatch(domain):
        domain = _FALLBACK_DOMAIN
    return f"<{call.id}.{sequence}.invite@{domain}>"


def invitation_calendar(
    config: Config, call: Call, body: str, *, now: datetime, sequence: int = 0
) -> bytes:
    """The METHOD:REQUEST calendar with the call's one VEVENT, ATTENDEE and ORGANIZER."""
    contact = call.contact
    organizer = organizer_email(config, call.owner)
    if organizer is None or not contact.email:
        raise ValueError(f"call {call.id} cannot be an invitation")
    zone = call.timezone
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
    ]
    attendee = (
        f"ATTENDEE;{common_name(contact.contact_name)};PARTSTAT=NEEDS-ACTION"
        f";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{contact.email}"
    )
    event = [
        "BEGIN:VEVENT",
        f"SUMMARY:{escape_text(invitation_summary(call))}",
        date_time("DTSTART", call.start, zone),
        date_time("DTEND", call.end, zone),
        f"DTSTAMP:{utc_time(now)}",
        f"UID:{escape_text(event_uid(call.id, config))}",
        f"SEQUENCE:{sequence}",
        attendee,
        f"DESCRIPTION:{escape_text(body)}",
    ]
    if contact.phone:
        event.append(f"LOCATION:{escape_text(contact.phone)}")
    event += [
        f"ORGANIZER;{common_name(call.owner)}:mailto:{organizer}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    timezone = b"" if writes_as_utc(zone) else vtimezone_ical(zone, call.start.year, call.end.year)
    return content_lines(head) + timezone + content_lines(event)


def build_invitation(
    config: Config,
    call: Call,
    body: str,
    *,
    now: datetime,
    sequence: int = 0,
    subject: str | None = None,
) -> bytes:
    """The .eml draft proposing `call`; `body` is the rendered `invite` template."""
    reason = invitation_refusal(config, call)
    if reason is not None:
        raise ValueError(f"call {call.id} gets no invitation: {reason}")
    organizer = organizer_email(config, call.owner)
    contact = call.contact
    assert organizer is not None and contact.email is not None  # checked by the refusal
    calendar = invitation_calendar(config, call, body, now=now, sequence=sequence)

    message = EmailMessage(policy=SMTP)
    message["From"] = Address(_one_line(call.owner), addr_spec=organizer)
    message["To"] = Address(_one_line(contact.contact_name), addr_spec=contact.email)
    message["Subject"] = _one_line(subject or invitation_subject(call))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(config, call, sequence)
    message["X-Unsent"] = "1"
    message.set_content(body.replace("\r\n", "\n").replace("\r", "\n"))
    message.add_attachment(
        calendar,
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": "REQUEST", "charset": "utf-8"},
    )
    # The email package picks a random boundary; one derived from the content is stable
    # across runs and cannot occur in it.
    digest = hashlib.sha256(body.encode() + calendar).hexdigest()[:32]
    message.set_boundary(f"=_outreach_{digest}")
    return message.as_bytes()


def _one_line(text: str) -> str:
    """A header value that cannot start another header: controls and line breaks → spaces."""
    return " ".join(_BREAKS.sub(" ", text).split())
