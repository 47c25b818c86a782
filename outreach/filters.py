"""The Jinja filters call scripts use: dates in a zone, first names, dialable phones, money.

Pure functions of their arguments, in English and independent of the machine's locale, so
that the same plan renders byte-identical scripts everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from outreach.values import zone_info

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _in_zone(moment: datetime, zone: str | None) -> datetime:
    return moment.astimezone(zone_info(zone)) if zone else moment


def local_date(value: date | datetime, zone: str | None = None) -> str:
    """`Tuesday 9 March 2027`; a datetime is first converted to `zone` when one is given."""
    day = _in_zone(value, zone) if isinstance(value, datetime) else value
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def local_time(value: datetime, zone: str | None = None) -> str:
    """`10:00`, on the 24-hour clock, in `zone` or in the datetime's own zone."""
    moment = _in_zone(value, zone)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def when(value: datetime, zone: str | None = None) -> str:
    """`Tuesday 9 March 2027, 10:00 (America/New_York)`: the full, unambiguous moment."""
    moment = _in_zone(value, zone)
    return f"{local_date(moment)}, {local_time(moment)} ({zone_name(moment)})"


def zone_name(value: datetime) -> str:
    """The IANA name of an aware datetime's zone (`Europe/Berlin`), or its UTC offset."""
    zone = value.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else value.strftime("UTC%z")


_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})


def first_name(name: str | None) -> str:
    """`Dana Ruiz` → `Dana`; also `Dr. Dana Ruiz` and `Ruiz, Dana`. Empty for no name."""
    if not name:
        return ""
    surname, comma, given = name.partition(",")
    words = (given if comma and given.strip() else surname).split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


# No leading \s*: tried from every character of a long run of spaces, it scans the run each time.
_EXTENSION = re.compile(r"(?:ext\.?|extension|x|#)\s*(\d+)\s*$", re.IGNORECASE)


def tel(phone: str | None) -> str:
    """A `tel:` URI to dial: `+1 (212) 555-0142 ext. 7` → `tel:+12125550142;ext=7`.

    Numbers typed without a country code stay local (`tel:2125550199`): we cannot guess it."""
    if not phone:
        return ""
    number, extension = phone.strip(), ""
    found = _EXTENSION.search(number)
    if found:
        number, extension = number[: found.start()], f";ext={found.group(1)}"
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):  # the international prefix most of the world dials
        digits = "+" + digits[2:]
    return f"tel:{digits}{extension}"


def money(amount: Decimal | int | None) -> str:
    """`48,000` or `1,234.50`: thousands separated, cents only when there are some.

    No currency symbol: the CSV's currency is not kept, and guessing one would mislead."""
    if amount is None:
        return ""
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


FILTERS: dict[str, Callable[..., Any]] = {
    "local_date": local_date,
    "local_time": local_time,
    "when": when,
    "zone_name": zone_name,
    "first_name": first_name,
    "tel": tel,
    "money": money,
}
