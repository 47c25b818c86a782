"""The Jinja filters call scripts use: dates in a zone, first names, dialable phones, money.

Pure functions of their arguments, in English and independent of the machine's locale, so
that the same plan renders byte-identical scripts everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from outreach.model.money import Money, amount_text
from outreach.model.phone import tel_uri
from outreach.model.zones import spoken_zone as spoken_zone_name
from outreach.model.zones import zone_info

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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
    """`Tuesday 9 March 2027, 10:00 New York time`: the full moment, as a person says it."""
    moment = _in_zone(value, zone)
    return f"{local_date(moment)}, {local_time(moment)} {spoken_zone(moment)}"


def spoken_zone(value: datetime) -> str:
    """`New York time`, `Buenos Aires time`: an aware datetime's zone as people say it."""
    return spoken_zone_name(zone_name(value))


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


def money(value: Money | Decimal | int | None) -> str:
    """`USD 48,000` or `EUR 1,234.50`: the currency's code, thousands separated, cents only
    when there are some; a bare number without a currency."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return str(value)
    return amount_text(Decimal(value))


FILTERS: dict[str, Callable[..., Any]] = {
    "local_date": local_date,
    "local_time": local_time,
    "when": when,
    "zone_name": zone_name,
    "spoken_zone": spoken_zone,
    "first_name": first_name,
    "tel": tel_uri,  # `contact.phone | tel`: the same URI as `contact.tel`
    "money": money,
}
