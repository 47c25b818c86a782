"""CSV values come back exactly and can never start a property or a component of their own."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    CONFIG,
    NOW,
    REP,
    assert_well_formed,
    build_calendar,
    calendar_call,
    lenient_parse,
    strict_parse,
)

INJECTION = "Acme\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged\r\nUID:forged@x"

# (value as typed in the CSV, value as every parser must read it back)
CASES = {
    "comma": ("Smith, Jones & Co", "Smith, Jones & Co"),
    "semicolon": ("Acme; Sales", "Acme; Sales"),
    "backslash": ("C:\\Orders\\New \\n \\, \\", "C:\\Orders\\New \\n \\, \\"),
    "newline": ("line one\nline two\n", "line one\nline two\n"),
    "crlf": ("line one\r\nline two", "line one\nline two"),
    "bare_cr": ("line one\rDESCRIPTION:forged", "line one\nDESCRIPTION:forged"),
    "injection": (INJECTION, INJECTION.replace("\r\n", "\n")),
    "non_ascii": ("Grüße aus Åre — 東京, Zoë 😀", "Grüße aus Åre — 東京, Zoë 😀"),
    "control": ("tab\there, bell\x07 gone", "tab\there, bell gone"),
    "long_non_ascii": ("Überprüfung, 東京; " * 40, "Überprüfung, 東京; " * 40),
}


@pytest.mark.parametrize(("typed", "read"), CASES.values(), ids=CASES.keys())
def test_value_round_trips_and_stays_inside_its_property(typed: str, read: str) -> None:
    # The location is the number as phone.py writes it: text around a number does not get in.
    call = calendar_call(contact_name=typed, company=typed, phone="+1 212 555 0100")
    data = build_calendar(CONFIG, REP, [(call, typed)], now=NOW)
    assert_well_formed(data)
    assert len(re.findall(rb"\r\nBEGIN:VEVENT\r\n", data)) == 1
    assert len(re.findall(rb"\r\nUID:", data)) == 1
    assert len(re.findall(rb"\r\nDESCRIPTION:", data)) == 2  # the event's and its alarm's

    (strict,) = strict_parse(data).events
    (lenient,) = lenient_parse(data).walk("VEVENT")
    summary = f"Apology call — {read}, {read}"
    assert strict.summary == str(lenient["SUMMARY"]) == summary
    assert strict.description == str(lenient["DESCRIPTION"]) == read
    assert strict.location == str(lenient["LOCATION"]) == "+1 212-555-0100"
    assert strict.uid == str(lenient["UID"]) == f"{call.id}@outreach.invalid"
    assert strict.alarm[0].description == summary
