"""Per-rep calendars: read back by two parsers, byte-identical to icalendar, escaped, in order."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from outreach.errors import ConfigError
from outreach.formats.calendars import PRODID, CalendarWriter, CancelledCall
from outreach.formats.vtimezone import vtimezone
from outreach.model.plan import Call
from outreach.model.settings import Config, Rep
from tests.factories import (
    CONFIG,
    NOW,
    REP,
    as_utc,
    assert_well_formed,
    build_calendar,
    calendar_call,
    lenient_parse,
    strict_parse,
    vtimezone_only_utc,
    wall,
    zoneinfo_utc,
)

SCRIPT = "Before the call: read the history.\nApologize first, then listen.\n" * 20
NON_ASCII_SCRIPT = "Vor dem Anruf: Verlauf lesen — Grüße, Åsa; 東京の件は\\済み 😀\n" * 30


def calls() -> list[tuple[Call, str]]:
    return [
        (calendar_call(local=wall(2027, 3, 15, 10)), SCRIPT),
        (calendar_call(play="follow_up", local=wall(2027, 3, 12, 10), phone=None), SCRIPT),
        (
            calendar_call(
                account_id="B-7",
                contact_name="Åsa Öberg",
                company="Grüne Äpfel, GmbH",
                timezone="Australia/Sydney",
                status="lapsed",
                phone="+61 2 9999 0000 ext. 12",
                play="clear_the_air",
                local=wall(2027, 4, 5, 10),
            ),
            NON_ASCII_SCRIPT,
        ),
        (
            calendar_call(account_id="C-1", timezone="Asia/Kolkata", local=wall(2027, 3, 16, 9)),
            SCRIPT,
        ),
        (calendar_call(account_id="D-1", timezone="Etc/UTC", local=wall(2027, 3, 16, 14)), SCRIPT),
    ]


def icalendar_oracle(entries: list[tuple[Call, str]], sequences: dict[str, int]) -> bytes:
    """The same calendar built and serialized by icalendar alone."""
    titles = {
        "apology": "Apology call",
        "follow_up": "Follow-up call",
        "clear_the_air": "Clear-the-air call",
    }
    calendar = icalendar.Calendar()
    for name, value in [
        ("version", "2.0"),
        ("prodid", PRODID),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("name", f"Win-back calls — {REP}"),
        ("x-wr-calname", f"Win-back calls — {REP}"),
    ]:
        calendar.add(name, value)
    years = sorted(call.start.year for call, _ in entries)
    for zone in sorted({call.timezone for call, _ in entries} - {"Etc/UTC"}):
        calendar.add_component(vtimezone(zone, years[0], years[-1]))
    for call, script in sorted(entries, key=lambda entry: (entry[0].start, entry[0].id)):
        summary = f"{titles[call.play]} — {call.contact.contact_name}, {call.contact.company}"
        event = icalendar.Event()
        event.add("summary", summary)
        event.add("dtstart", call.start)
        event.add("dtend", call.end)
        event.add("dtstamp", NOW)
        event.add("uid", f"{call.id}@outreach.invalid")
        event.add("sequence", sequences.get(call.id, 0))
        event.add("categories", [call.play])
        event.add("description", script)
        if call.contact.dial:
            event.add("location", call.contact.dial.international)
        organizer = icalendar.vCalAddress("mailto:dana@vendor.example")
        organizer.params["CN"] = REP
        event.add("organizer", organizer)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        if call.contact.dial:
            event.add("url", call.contact.dial.tel)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-15))
        event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def test_bytes_are_icalendars_bytes() -> None:
    entries = calls()
    sequences = {entries[0][0].id: 3}
    ours = build_calendar(CONFIG, REP, entries, now=NOW, sequences=sequences)
    assert ours == icalendar_oracle(entries, sequences)


def test_streaming_writer_gives_the_same_bytes() -> None:
    entries = sorted(calls(), key=lambda entry: (entry[0].start, entry[0].id))
    writer = CalendarWriter.for_calls(CONFIG, REP, [call for call, _ in entries], now=NOW)
    streamed = b"".join(
        [
            writer.header(),
            *(writer.event(call, script) for call, script in entries),
            writer.footer(),
        ]
    )
    assert streamed == build_calendar(CONFIG, REP, entries, now=NOW)


def test_same_input_in_any_order_gives_identical_bytes() -> None:
    entries = calls()
    first = build_calendar(CONFIG, REP, entries, now=NOW)
    random.Random(7).shuffle(entries)
    assert build_calendar(CONFIG, REP, entries, now=NOW) == first


def test_raw_bytes_are_crlf_folded_utf8() -> None:
    assert_well_formed(build_calendar(CONFIG, REP, calls(), now=NOW))


def test_both_parsers_read_every_field_back() -> None:
    entries = calls()
    data = build_calendar(CONFIG, REP, entries, now=NOW, sequences={entries[2][0].id: 2})
    strict, lenient = strict_parse(data), lenient_parse(data)
    assert strict.prodid == PRODID
    assert lenient["METHOD"] == "PUBLISH"
    assert lenient["X-WR-CALNAME"] == lenient["NAME"] == "Win-back calls — Dana Ruiz"
    by_uid = {event.uid: event for event in strict.events}
    lenient_by_uid = {str(event["UID"]): event for event in lenient.walk("VEVENT")}
    assert len(by_uid) == len(lenient_by_uid) == len(entries)
    for call, script in entries:
        uid = f"{call.id}@outreach.invalid"
        event, other = by_uid[uid], lenient_by_uid[uid]
        local = call.start.replace(tzinfo=None)
        expected_start = zoneinfo_utc(call.timezone, local)
        assert as_utc(event.dtstart) == as_utc(other.decoded("DTSTART")) == expected_start
        assert as_utc(event.dtend) == expected_start + timedelta(minutes=30)
        assert event.dtstamp == NOW
        assert event.sequence == (2 if call is entries[2][0] else 0)
        assert event.summary == str(other["SUMMARY"])
        assert event.summary.endswith(f" — {call.contact.contact_name}, {call.contact.company}")
        assert event.description == str(other["DESCRIPTION"]) == script
        assert event.categories == [call.play]
        dial = call.contact.dial
        assert event.location == (dial.international if dial else None)
        assert event.url == (dial.tel if dial else None)
        assert event.organizer is not None
        assert event.organizer.uri == "mailto:dana@vendor.example"
        assert event.organizer.common_name == REP
        assert (event.status, event.transparency) == ("CONFIRMED", "OPAQUE")
        (alarm,) = event.alarm
        assert (alarm.action, alarm.trigger) == ("DISPLAY", timedelta(minutes=-15))
        assert alarm.description == event.summary


def test_events_come_by_start_then_id() -> None:
    same_time = [calendar_call(account_id=f"A-{n}", local=wall(2027, 3, 15, 10)) for n in range(4)]
    earlier = calendar_call(account_id="Z-9", timezone="Europe/London", local=wall(2027, 3, 15, 9))
    data = build_calendar(CONFIG, REP, [(c, "") for c in [*same_time, earlier]], now=NOW)
    uids = re.findall(rb"UID:(\w+)@", data)
    expected = [earlier.id, *sorted(call.id for call in same_time)]
    assert [uid.decode() for uid in uids] == expected


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("America/New_York", wall(2027, 3, 12, 10)),
        ("America/New_York", wall(2027, 3, 15, 10)),
        ("America/New_York", wall(2027, 11, 5, 10)),
        ("America/New_York", wall(2027, 11, 8, 10)),
        ("Australia/Sydney", wall(2027, 4, 2, 10)),
        ("Australia/Sydney", wall(2027, 4, 5, 10)),
        ("Australia/Sydney", wall(2027, 10, 1, 10)),
        ("Australia/Sydney", wall(2027, 10, 4, 10)),
        ("Asia/Kolkata", wall(2027, 3, 15, 10)),
        ("America/St_Johns", wall(2027, 3, 15, 10)),
        ("America/St_Johns", wall(2027, 11, 8, 10)),
        ("Europe/London", wall(2027, 3, 29, 10)),
        ("Europe/London", wall(2027, 11, 1, 10)),
    ],
)
def test_call_reads_back_at_the_iana_instant(zone: str, local: datetime) -> None:
    call = calendar_call(timezone=zone, local=local)
    data = build_calendar(CONFIG, REP, [(call, SCRIPT)], now=NOW)
    expected = zoneinfo_utc(zone, local)
    (event,) = strict_parse(data).events
    assert as_utc(event.dtstart) == expected
    assert as_utc(lenient_parse(data).walk("VEVENT")[0].decoded("DTSTART")) == expected
    text = data.decode()
    block = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    assert f"DTSTART;TZID={zone}:{local:%Y%m%dT%H%M%S}" in text
    assert vtimezone_only_utc(block, zone, local) == expected


def test_utc_zone_is_written_with_z_and_no_vtimezone() -> None:
    call = calendar_call(timezone="Etc/UTC", local=wall(2027, 3, 16, 14))
    data = build_calendar(CONFIG, REP, [(call, "")], now=NOW)
    assert b"DTSTART:20270316T140000Z\r\n" in data
    assert b"VTIMEZONE" not in data
    assert strict_parse(data).events[0].dtstart == datetime(2027, 3, 16, 14, tzinfo=UTC)


def test_one_vtimezone_per_zone_used() -> None:
    data = build_calendar(CONFIG, REP, calls() + calls(), now=NOW)
    assert data.count(b"BEGIN:VTIMEZONE") == 3  # New York, Sydney, Kolkata; UTC needs none
    assert data.count(b"TZID:America/New_York\r\n") == 1


def test_cancelled_call_comes_back_cancelled_with_a_higher_sequence() -> None:
    start = datetime(2027, 3, 17, 11, tzinfo=calendar_call().start.tzinfo)
    gone = CancelledCall(
        id="0123456789abcdef0123",
        owner=REP,
        summary="Apology call — Old Contact, Acme",
        start=start,
        end=start + timedelta(minutes=30),
        timezone="America/New_York",
        sequence=4,
    )
    data = build_calendar(CONFIG, REP, calls(), now=NOW, cancelled=[gone])
    assert_well_formed(data)
    events = strict_parse(data).events
    assert events[-1].uid == "0123456789abcdef0123@outreach.invalid"
    assert (events[-1].status, events[-1].sequence) == ("CANCELLED", 5)
    assert events[-1].summary == gone.summary
    assert events[-1].dtstart == start
    assert events[-1].organizer is not None
    assert not events[-1].alarm


def test_rep_without_email_gets_no_method_and_no_organizer() -> None:
    config = Config(reps={REP: Rep(REP)})
    data = build_calendar(config, REP, calls(), now=NOW)
    assert b"METHOD:" not in data
    assert b"ORGANIZER" not in data
    assert all(event.organizer is None for event in strict_parse(data).events)


def test_rep_with_unusable_email_is_a_configuration_error() -> None:
    config = Config(reps={REP: Rep(REP, email="dana@vendor.example\r\nX-Evil: 1")})
    with pytest.raises(ConfigError, match=r"reps\.Dana Ruiz\.email"):
        build_calendar(config, REP, calls(), now=NOW)


def test_organizer_name_with_quotes_and_commas_stays_a_parameter() -> None:
    rep = 'Dana "DJ" Ruiz, Jr.\r\nORGANIZER:mailto:evil@example.com'
    config = Config(reps={rep: Rep(rep, email="dana@vendor.example")})
    call = replace(calendar_call(), owner=rep)
    data = build_calendar(config, rep, [(call, "")], now=NOW)
    assert len(re.findall(rb"\nORGANIZER", data)) == 1
    (event,) = strict_parse(data).events
    assert event.organizer is not None
    assert event.organizer.common_name == "Dana 'DJ' Ruiz, Jr. ORGANIZER:mailto:evil@example.com"
    assert event.organizer.uri == "mailto:dana@vendor.example"


def test_reminder_minutes_come_from_the_config() -> None:
    config = replace(CONFIG, calendar=replace(CONFIG.calendar, reminder_minutes=90))
    data = build_calendar(config, REP, calls()[:1], now=NOW)
    assert b"TRIGGER:-PT1H30M\r\n" in data
    assert strict_parse(data).events[0].alarm[0].trigger == timedelta(minutes=-90)


def test_writer_refuses_a_zone_or_year_its_header_does_not_cover() -> None:
    writer = CalendarWriter.for_calls(CONFIG, REP, [calendar_call()], now=NOW)
    with pytest.raises(ValueError, match="time zones"):
        writer.event(calendar_call(timezone="Europe/Paris"), "")
    with pytest.raises(ValueError, match="outside"):
        writer.event(calendar_call(local=wall(2029, 1, 8, 10)), "")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        build_calendar(CONFIG, REP, calls(), now=wall(2027, 3, 1, 12))
