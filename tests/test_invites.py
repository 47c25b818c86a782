"""Invitation drafts: who gets one, what a mail client and two calendar parsers read in it."""

from __future__ import annotations

import email
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default

import icalendar
import pytest

from outreach.formats.calendars import PRODID
from outreach.formats.invites import build_invitation, invitation_calendar
from outreach.formats.vtimezone import vtimezone
from outreach.model.plan import Call
from outreach.model.settings import Config, Rep
from outreach.planning.invitations import invitation_refusal
from tests.factories import (
    CONFIG,
    NOW,
    REP,
    as_utc,
    assert_well_formed,
    calendar_call,
    lenient_parse,
    strict_parse,
    wall,
    with_owner,
    zoneinfo_utc,
)

BODY = "Hi Jordan,\n\nCould we set up a short call? I have kept Monday 10:00 free.\n\nDana"


def lapsed_call(**overrides: object) -> Call:
    values: dict[str, object] = {"status": "lapsed", "play": "clear_the_air"}
    values.update(overrides)
    return calendar_call(local=wall(2027, 3, 15, 10), **values)  # type: ignore[arg-type]


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_part(message: EmailMessage) -> tuple[EmailMessage, bytes]:
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return parts[0], payload


def test_lapsed_contacts_clear_the_air_and_keep_in_touch_calls_are_invited() -> None:
    assert invitation_refusal(CONFIG, lapsed_call()) is None
    assert invitation_refusal(CONFIG, lapsed_call(play="keep_in_touch", step=2)) is None


@pytest.mark.parametrize(
    ("call", "config", "reason"),
    [
        (calendar_call(status="upset", play="apology"), CONFIG, "upset account gets a call now"),
        (calendar_call(status="upset", play="clear_the_air"), CONFIG, "only lapsed contacts"),
        (lapsed_call(play="small_step"), CONFIG, "only clear-the-air and keep-in-touch"),
        (lapsed_call(email=None), CONFIG, "Jordan Lee has no e-mail address"),
        (lapsed_call(email="jordan@nörthwind.example"), CONFIG, "cannot be used"),
        (lapsed_call(), Config(reps={REP: Rep(REP)}), 'set reps."Dana Ruiz".email'),
    ],
    ids=["upset", "upset-any-play", "play", "no-contact-email", "odd-email", "no-rep-email"],
)
def test_refusals_say_why(call: Call, config: Config, reason: str) -> None:
    refusal = invitation_refusal(config, call)
    assert refusal is not None
    assert reason in refusal
    with pytest.raises(ValueError, match="gets no invitation"):
        build_invitation(config, call, BODY, now=NOW)


def test_draft_headers_and_body() -> None:
    call = lapsed_call()
    message = parse(build_invitation(CONFIG, call, BODY, now=NOW, sequence=2))
    assert message["From"] == "Dana Ruiz <dana@vendor.example>"
    assert message["To"] == "Jordan Lee <jordan@northwind.example>"
    assert message["Subject"] == "Call with Dana Ruiz on Monday 15 March 2027, 10:00 (EDT)"
    assert message["Date"].datetime == NOW
    assert message["Message-ID"] == f"<{call.id}.2.invite@outreach.invalid>"
    assert message["X-Unsent"] == "1"
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n") == BODY


def test_draft_lines_end_in_crlf() -> None:
    data = build_invitation(CONFIG, lapsed_call(), BODY, now=NOW)
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_calendar_part_is_one_request_event_with_organizer_and_attendee() -> None:
    call = lapsed_call(contact_name="Zoë Ünal")
    message = parse(build_invitation(CONFIG, call, BODY, now=NOW, sequence=1))
    part, data = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "invite.ics"
    assert_well_formed(data)
    assert data.count(b"BEGIN:VEVENT") == 1
    assert lenient_parse(data)["METHOD"] == "REQUEST"
    (event,) = strict_parse(data).events
    assert event.uid == f"{call.id}@outreach.invalid"
    assert event.sequence == 1
    assert event.summary == "Call with Dana Ruiz"
    assert event.description == BODY
    assert as_utc(event.dtstart) == zoneinfo_utc("America/New_York", wall(2027, 3, 15, 10))
    assert event.organizer is not None
    assert (event.organizer.uri, event.organizer.common_name) == ("mailto:dana@vendor.example", REP)
    (attendee,) = event.attendees
    assert attendee.uri == "mailto:jordan@northwind.example"
    assert attendee.common_name == "Zoë Ünal"
    assert attendee.rsvp is True
    assert (attendee.status, attendee.role) == ("NEEDS-ACTION", "REQ-PARTICIPANT")


def test_calendar_part_is_icalendars_bytes() -> None:
    call = lapsed_call(contact_name="Zoë Ünal", phone="+1 212 555 0100")
    calendar = icalendar.Calendar()
    for name, value in [
        ("version", "2.0"),
        ("prodid", PRODID),
        ("calscale", "GREGORIAN"),
        ("method", "REQUEST"),
    ]:
        calendar.add(name, value)
    calendar.add_component(vtimezone("America/New_York", 2027, 2027))
    event = icalendar.Event()
    event.add("summary", "Call with Dana Ruiz")
    event.add("dtstart", call.start)
    event.add("dtend", call.start + timedelta(minutes=30))
    event.add("dtstamp", NOW)
    event.add("uid", f"{call.id}@outreach.invalid")
    event.add("sequence", 0)
    attendee = icalendar.vCalAddress("mailto:jordan@northwind.example")
    attendee.params.update(
        {"CN": "Zoë Ünal", "RSVP": "TRUE", "PARTSTAT": "NEEDS-ACTION", "ROLE": "REQ-PARTICIPANT"}
    )
    event.add("attendee", attendee)
    event.add("description", BODY)
    event.add("location", "+1 212-555-0100")
    organizer = icalendar.vCalAddress("mailto:dana@vendor.example")
    organizer.params["CN"] = REP
    event.add("organizer", organizer)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    assert invitation_calendar(CONFIG, call, BODY, now=NOW) == calendar.to_ical()


def test_line_breaks_in_names_cannot_add_headers() -> None:
    rep = "Dana Ruiz\r\nBcc: rep-leak@evil.example"
    config = Config(reps={rep: Rep(rep, email="dana@vendor.example")})
    call = with_owner(lapsed_call(contact_name="Jordan\r\nBcc: leak@evil.example\nX-Evil: 1"), rep)
    data = build_invitation(config, call, BODY, now=NOW, subject="Hello\r\nCc: cc@evil.example")
    message = parse(data)
    assert message["Bcc"] is None
    assert message["Cc"] is None
    assert message["X-Evil"] is None
    assert sorted(message.keys()) == sorted(
        ["From", "To", "Subject", "Date", "Message-ID", "X-Unsent", "MIME-Version", "Content-Type"]
    )
    assert message["To"].addresses[0].display_name == "Jordan Bcc: leak@evil.example X-Evil: 1"
    assert message["To"].addresses[0].addr_spec == "jordan@northwind.example"
    assert message["Subject"] == "Hello Cc: cc@evil.example"
    _, calendar = calendar_part(message)
    (event,) = strict_parse(calendar).events
    assert len(event.attendees) == 1


def test_same_input_gives_the_same_draft() -> None:
    call = lapsed_call()
    first = build_invitation(CONFIG, call, BODY, now=NOW)
    assert build_invitation(CONFIG, call, BODY, now=NOW) == first
    assert build_invitation(CONFIG, call, BODY, now=NOW, sequence=1) != first


def test_non_ascii_headers_and_long_body_lines_decode_exactly() -> None:
    subject = "Grüße — ein kurzer Anruf am Montag, 15. März 2027 um 10:00 Uhr, passt das? 東京"
    body = "Hallo Zoë,\n\n" + "Ein sehr langer Absatz über den Anruf. " * 40 + "\n\nDana"
    data = build_invitation(
        CONFIG, lapsed_call(contact_name="Zoë Ünal"), body, now=NOW, subject=subject
    )
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    message = parse(data)
    assert message["Subject"] == subject
    assert message["To"].addresses[0].display_name == "Zoë Ünal"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    assert text.get_content().replace("\r\n", "\n") == body
