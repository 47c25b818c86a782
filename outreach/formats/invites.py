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

import base64
import hashlib
import re
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr
from typing import cast

from outreach.formats.calendars import PRODID, date_time, event_uid
from outreach.formats.ics import common_name, content_lines, escape_text, mailto, utc_time
from outreach.formats.vtimezone import vtimezone_ical, writes_as_utc
from outreach.intake.cells import is_domain
from outreach.model.plan import Call
from outreach.model.settings import Config
from outreach.planning.invitations import invitation_refusal, organizer_email

_FALLBACK_DOMAIN = "outreach.invalid"
_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
# The email package's compat32 classes, not EmailMessage: its header registry parses every
# header it is given, 1 ms of a 1.3 ms draft (issue 7); these take 0.26 ms for a message
# that reads the same. They do not refuse line breaks in header values, so `_one_line`
# removes them first (tests/test_invites.py checks no header can be added).
_POLICY = compat32.clone(linesep="\r\n")
_LONGEST_8BIT_LINE = 998  # octets, RFC 5322 2.1.1; longer body lines go quoted-printable
_LONGEST_WORD = 900  # past this a header's word goes into encoded words, which fold anywhere


def invitation_summary(call: Call) -> str:
    """What the contact sees in their calendar: who calls, never the internal play name."""
    return f"Call with {call.owner}"


def invitation_subject(call: Call) -> str:
    start = call.start
    return f"Call with {call.owner} on {start:%A} {start.day} {start:%B %Y, %H:%M} ({start:%Z})"


def message_id(config: Config, call: Call, sequence: int) -> str:
    """Derived from the call and its SEQUENCE: a re-run gives the same draft the same id."""
    domain = config.calendar.uid_domain
    if not is_domain(domain):
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
        f";ROLE=REQ-PARTICIPANT;RSVP=TRUE:{mailto(contact.email)}"
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
    if contact.dial:
        event.append(f"LOCATION:{escape_text(contact.dial.international)}")
    event += [
        f"ORGANIZER;{common_name(call.owner)}:{mailto(organizer)}",
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

    message = MIMEMultipart("mixed", boundary=_boundary(body, calendar), policy=_POLICY)
    message["From"] = _address(_one_line(call.owner), organizer)
    message["To"] = _address(_one_line(contact.contact_name), contact.email)
    message["Subject"] = _header(_one_line(subject or invitation_subject(call)))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(config, call, sequence)
    message["X-Unsent"] = "1"
    message.attach(_text_part(body))
    message.attach(_calendar_part(calendar))
    return message.as_bytes(policy=_POLICY)


def _boundary(body: str, calendar: bytes) -> str:
    """Stable across runs (the email package picks a random one) and absent from the parts."""
    return "=_outreach_" + hashlib.sha256(body.encode() + calendar).hexdigest()[:32]


def _header(value: str) -> str:
    """Non-ASCII text as RFC 2047 encoded words (compat32 accepts a Header object here), and
    so is text with a word too long to fold at a space: encoded words fold anywhere, so that
    no header line passes 998 octets (RFC 5322 2.1.1)."""
    return value if _foldable(value) else cast(str, Header(value, "utf-8"))


def _address(name: str, address: str) -> str:
    """`Name <address>`: the name quoted where it needs it, or as encoded words (see _header)."""
    if _foldable(name):
        return formataddr((name, address))
    header = Header(name, "utf-8")
    header.append(f" <{address}>", "us-ascii")
    return cast(str, header)


def _foldable(text: str) -> bool:
    """ASCII whose words fit on a folded line, quotes and all (a name's `,` may need them)."""
    return text.isascii() and all(len(word) <= _LONGEST_WORD for word in text.split())


def _text_part(body: str) -> MIMENonMultipart:
    """The body as 8bit UTF-8, readable in the draft; quoted-printable if a line is too long."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    part = MIMENonMultipart("text", "plain", policy=_POLICY)
    charset = Charset("utf-8")
    if any(len(line.encode()) > _LONGEST_8BIT_LINE for line in body.split("\n")):
        charset.body_encoding = QP
    else:
        part["Content-Transfer-Encoding"] = "8bit"  # set first, so set_payload keeps the text
    part.set_payload(body, charset)
    return part


def _calendar_part(calendar: bytes) -> MIMEBase:
    part = MIMEBase("text", "calendar", method="REQUEST", charset="utf-8", policy=_POLICY)
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = 'attachment; filename="invite.ics"'
    part.set_payload(base64.encodebytes(calendar).decode("ascii"))
    return part


def _one_line(text: str) -> str:
    """A header value that cannot start another header: controls and line breaks → spaces."""
    return " ".join(_BREAKS.sub(" ", text).split())
