"""The template filters: dates in a zone, first names, dialable numbers, money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from outreach.render.context import markdown_text
from outreach.render.filters import (
    FILTERS,
    first_name,
    local_date,
    local_time,
    money,
    spoken_zone,
    when,
    zone_name,
)
from tests.factories import at


def test_dates_read_the_same_everywhere() -> None:
    moment = at(2027, 3, 9, 10)
    assert local_date(moment) == "Tuesday 9 March 2027"
    assert local_time(moment) == "10:00"
    assert when(moment) == "Tuesday 9 March 2027, 10:00 New York time"
    assert local_date(date(2026, 11, 9)) == "Monday 9 November 2026"


def test_a_zone_argument_converts_the_moment() -> None:
    moment = at(2027, 3, 9, 20)
    assert when(moment, "Europe/Berlin") == "Wednesday 10 March 2027, 02:00 Berlin time"
    assert local_date(moment, "Asia/Tokyo") == "Wednesday 10 March 2027"
    assert local_time(moment, "Asia/Kolkata") == "06:30"
    assert zone_name(moment) == "America/New_York"


@pytest.mark.parametrize(
    ("zone", "spoken"),
    [
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
        ("Australia/Sydney", "Sydney time"),
        ("UTC", "UTC"),
        ("Etc/GMT+5", "GMT+5"),
    ],
)
def test_scripts_name_a_zone_as_people_say_it(zone: str, spoken: str) -> None:
    assert spoken_zone(at(2027, 3, 9, 10, zone=zone)) == spoken


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dana Ruiz", "Dana"),
        ("Dr. Dana Ruiz", "Dana"),
        ("Ms Dana", "Dana"),
        ("Ruiz, Dana", "Dana"),
        ("Jürgen Weiß", "Jürgen"),
        ("Cher", "Cher"),
        ("Dr", "Dr"),
        ("", ""),
        (None, ""),
    ],
)
def test_first_names(name: str | None, expected: str) -> None:
    assert first_name(name) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+1 212-555-0142", "tel:+12125550142"),
        ("+1 212-555-0142 ext. 7", "tel:+12125550142;ext=7"),
        ("+49 89 55507788", "tel:+498955507788"),
        ("+47 22 55 50 19 x12", "tel:+4722555019;ext=12"),
        ("(212) 555-0199", ""),  # `contact.phone` has its country code; a bare guess would misdial
        (None, ""),
    ],
)
def test_phones_become_tel_uris(phone: str | None, expected: str) -> None:
    assert FILTERS["tel"](phone) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal(48000), "48,000"),
        (Decimal("31500.00"), "31,500"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("9800000"), "9,800,000"),
        (650, "650"),
        (None, ""),
    ],
)
def test_money_has_thousands_separators_and_no_symbol(
    amount: Decimal | int | None, expected: str
) -> None:
    assert money(amount) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("plain", "plain"),
        ("two\nlines", "two / lines"),
        ("  padded \r\n\r\n next ", "padded / next"),
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("-5% off", "-5% off"),
        ("12. item", "12\\. item"),
        ("2026 was good", "2026 was good"),
        ("---", "\\---"),
        ("```", "\\`\\`\\`"),
        ("", None),
        (" \n ", None),
        (None, None),
    ],
)
def test_cells_become_one_line_of_markdown_that_opens_no_block(
    cell: str | None, expected: str | None
) -> None:
    assert markdown_text(cell) == expected
