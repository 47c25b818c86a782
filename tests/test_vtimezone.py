"""VTIMEZONE blocks: RRULE style, and right instants when read from the block alone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from dateutil import tz
from ical.timezone import IcsTimezoneInfo

from outreach.formats.vtimezone import transitions, vtimezone_ical, writes_as_utc, yearly_rule
from tests.factories import strict_parse, vtimezone_only_utc, wall, zoneinfo_utc

# Local wall-clock times around each 2027 change, and a plain day for fixed zones.
AROUND_CHANGES = [
    ("America/New_York", wall(2027, 3, 12, 10)),  # Friday before DST starts (14 March)
    ("America/New_York", wall(2027, 3, 15, 10)),  # Monday after
    ("America/New_York", wall(2027, 11, 5, 10)),  # Friday before DST ends (7 November)
    ("America/New_York", wall(2027, 11, 8, 10)),
    ("Australia/Sydney", wall(2027, 4, 2, 10)),  # DST ends 4 April
    ("Australia/Sydney", wall(2027, 4, 5, 10)),
    ("Australia/Sydney", wall(2027, 10, 1, 10)),  # DST starts 3 October
    ("Australia/Sydney", wall(2027, 10, 4, 10)),
    ("Europe/London", wall(2027, 3, 26, 10)),  # BST from 28 March
    ("Europe/London", wall(2027, 3, 29, 10)),
    ("Europe/London", wall(2027, 10, 29, 10)),  # GMT from 31 October
    ("Europe/London", wall(2027, 11, 1, 10)),
    ("America/St_Johns", wall(2027, 3, 12, 10)),  # half-hour zone with DST
    ("America/St_Johns", wall(2027, 3, 15, 10)),
    ("Asia/Kolkata", wall(2027, 3, 15, 10)),  # half-hour zone, no DST
    ("Asia/Tokyo", wall(2027, 7, 1, 10)),
    ("America/Sao_Paulo", wall(2027, 11, 8, 10)),  # southern, DST abolished in 2019
    ("Australia/Lord_Howe", wall(2027, 10, 4, 10)),  # a half-hour DST step
    ("Pacific/Chatham", wall(2027, 9, 27, 10)),  # +12:45 / +13:45
    ("Africa/Casablanca", wall(2027, 2, 15, 10)),  # Ramadan time: no yearly rule
    ("Africa/Casablanca", wall(2027, 3, 20, 10)),
    ("Etc/GMT+5", wall(2027, 3, 15, 10)),
]


def block(zone: str) -> str:
    return vtimezone_ical(zone, 2027, 2027).decode()


def ical_zone(zone: str) -> IcsTimezoneInfo:
    """The strict parser's reading of our VTIMEZONE alone, not of its own IANA copy."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + block(zone)
        + "END:VCALENDAR\r\n"
    )
    (timezone,) = strict_parse(text.encode()).timezones
    return IcsTimezoneInfo.from_timezone(timezone)


@pytest.mark.parametrize(("zone", "local"), AROUND_CHANGES)
def test_vtimezone_alone_gives_the_iana_instant(zone: str, local: datetime) -> None:
    expected = zoneinfo_utc(zone, local)
    assert vtimezone_only_utc(block(zone), zone, local) == expected
    if "RRULE" in block(zone):
        # `ical` never applies an observance that has only a DTSTART (RFC 5545 makes the
        # DTSTART its first onset, and ical.js and dateutil do); it reads its own IANA copy
        # for these zones anyway, so only the RRULE blocks are checked with it.
        assert local.replace(tzinfo=ical_zone(zone)).astimezone(UTC) == expected


@pytest.mark.slow
def test_every_zone_agrees_with_iana_around_each_change() -> None:
    for zone in sorted(available_timezones()):
        if writes_as_utc(zone):
            continue
        ours = tz.tzical(io.StringIO(block(zone))).get(zone)
        iana = ZoneInfo(zone)
        instants = [datetime(2027, month, 1, 12, tzinfo=UTC) for month in range(1, 13)]
        for change in transitions(zone, range(2027, 2028)):
            at = (change.onset - change.offset_from).replace(tzinfo=UTC)
            instants += [at - timedelta(minutes=1), at, at + timedelta(minutes=1)]
        for instant in instants:
            assert instant.astimezone(ours).utcoffset() == instant.astimezone(iana).utcoffset(), (
                zone,
                instant,
            )


def test_new_york_uses_yearly_rules_like_google() -> None:
    text = block("America/New_York")
    assert "RDATE" not in text
    assert (
        "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n"
        in text
    )
    assert (
        "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\n"
        in text
    )
    assert "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400" in text


def test_southern_hemisphere_daylight_starts_in_october() -> None:
    text = block("Australia/Sydney")
    assert "BYDAY=1SU;BYMONTH=10\r\nTZNAME:AEDT\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100" in text
    assert "BYDAY=1SU;BYMONTH=4\r\nTZNAME:AEST\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000" in text


def test_last_sunday_rule_reads_as_last() -> None:
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in block("Europe/London")


@pytest.mark.parametrize(
    ("zone", "offset"),
    [("Asia/Kolkata", "+0530"), ("Asia/Tokyo", "+0900"), ("America/Sao_Paulo", "-0300")],
)
def test_zone_without_dst_has_one_fixed_standard(zone: str, offset: str) -> None:
    text = block(zone)
    assert text.count("BEGIN:STANDARD") == 1
    assert "DAYLIGHT" not in text
    assert "RRULE" not in text
    assert "DTSTART:19700101T000000\r\nTZNAME:" in text
    assert f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\n" in text


def test_irregular_zone_lists_each_change_with_its_own_dtstart() -> None:
    text = block("Africa/Casablanca")
    assert "RRULE" not in text
    assert "RDATE" not in text
    observances = text.count("BEGIN:STANDARD") + text.count("BEGIN:DAYLIGHT")
    assert text.count("DTSTART:") == observances
    assert observances == 1 + len(transitions("Africa/Casablanca", range(2026, 2029)))


def test_utc_zones_need_no_vtimezone() -> None:
    assert writes_as_utc("UTC")
    assert writes_as_utc("Etc/UTC")
    assert not writes_as_utc("Europe/London")
    with pytest.raises(ValueError, match="UTC"):
        vtimezone_ical("Etc/UTC", 2027, 2027)


def test_each_block_is_computed_once() -> None:
    assert vtimezone_ical("Europe/Paris", 2027, 2028) is vtimezone_ical("Europe/Paris", 2027, 2028)


def test_transitions_carry_local_onsets() -> None:
    spring, autumn = transitions("America/New_York", range(2027, 2028))
    assert spring.onset == wall(2027, 3, 14, 2, 0)
    assert spring.forward
    assert (spring.offset_from, spring.offset_to) == (timedelta(hours=-5), timedelta(hours=-4))
    assert autumn.onset == wall(2027, 11, 7, 2, 0)
    assert not autumn.forward
    assert transitions("Asia/Kolkata", range(2026, 2029)) == []


def test_yearly_rule_needs_one_matching_onset_per_year() -> None:
    second_sundays = [wall(2026, 3, 8, 2), wall(2027, 3, 14, 2), wall(2028, 3, 12, 2)]
    assert yearly_rule(second_sundays) == (3, "2SU")
    last_sundays = [wall(2026, 3, 29, 1), wall(2027, 3, 28, 1), wall(2028, 3, 26, 1)]
    assert yearly_rule(last_sundays) == (3, "-1SU")
    assert yearly_rule([wall(2026, 3, 8, 2), wall(2027, 3, 14, 3)]) is None  # time moved
    a_year_missing = [wall(2026, 3, 8, 2), wall(2028, 3, 12, 2)]
    assert yearly_rule(a_year_missing) is None
    assert yearly_rule([wall(2026, 2, 15, 3), wall(2027, 2, 7, 3)]) is None  # lunar dates
