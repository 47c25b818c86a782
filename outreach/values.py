"""Reading single CSV cells the ways people type them. Each parser raises ValueError with a
message fit for the user; intake adds the file, line and field."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from dateutil import parser as dateparser

MAX_MONEY = Decimal(10) ** 12
MAX_ATTEMPTS = 1000

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
_YEAR = re.compile(r"\d{4}|^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_FAR_APART = (datetime(2000, 1, 1), datetime(2001, 2, 28))  # noqa: DTZ001 - only defaults


@lru_cache(maxsize=4096)
def parse_date(text: str, day_first: bool = False) -> date:
    """`2026-03-04`, `03/04/2026`, `4 March 2026`, `Mar 4, 2026`; day first on request.

    Cached: an export repeats the same few hundred dates across all its rows."""
    if _ISO.fullmatch(text):  # before dateutil, which would read 2026-03-04 day first on request
        try:
            return date.fromisoformat(text[:10])
        except ValueError as error:
            raise ValueError(f"{text!r} is not a date ({error})") from None
    if not _YEAR.search(text):
        raise ValueError(f"cannot read {text!r} as a date with a year")
    try:
        # Parsed twice with different defaults: a date missing its day or month reads differently.
        first, second = (dateparser.parse(text, dayfirst=day_first, default=d) for d in _FAR_APART)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"cannot read {text!r} as a date ({error})") from None
    if first.date() != second.date():
        raise ValueError(f"{text!r} is not a whole date (day, month and year)")
    return first.date()


_CURRENCY = re.compile(r"[^\d.,\-+]")


def parse_money(text: str) -> Decimal:
    """`$12,500`, `12500.00`, `EUR 12.500,00`, `12 500`: a non-negative amount."""
    cleaned = _CURRENCY.sub("", text)
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
    elif cleaned.count(",") == 1 and not re.search(r",\d{3}$", cleaned):
        decimal_mark = ","
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"cannot read {text!r} as an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"cannot read {text!r} as an amount of money")
    if amount < 0:
        raise ValueError(f"{text!r} is negative")
    if amount >= MAX_MONEY:
        raise ValueError(f"{text!r} is implausibly large")
    return amount


def parse_count(text: str) -> int:
    try:
        value = int(text.replace(",", "").strip())
    except ValueError:
        raise ValueError(f"cannot read {text!r} as a whole number") from None
    if value < 0:
        raise ValueError(f"{text!r} is negative")
    if value > MAX_ATTEMPTS:
        raise ValueError(f"{text!r} is implausibly large")
    return value


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


@lru_cache(maxsize=1024)
def parse_zone(text: str) -> str:
    """An IANA zone name, in any case (`america/new_york` reads as `America/New_York`)."""
    name = _zones_by_folded_name().get(text.casefold())
    if name is None:
        raise ValueError(f"unknown time zone {text!r}")
    ZoneInfo(name)
    return name


def parse_phone(text: str) -> str:
    """Kept as typed, as long as there is a number to dial."""
    if not any(ch.isdigit() for ch in text):
        raise ValueError(f"{text!r} has no digits to dial")
    return text


_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def parse_email(text: str) -> str:
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return text


def parse_choice(text: str, choices: tuple[str, ...], what: str) -> str:
    """`Won Back`, `won-back` and `WON_BACK` all read as `won_back`."""
    value = re.sub(r"[\s\-]+", "_", text.strip().casefold())
    if value not in choices:
        raise ValueError(f"unknown {what} {text!r}; expected one of {', '.join(choices)}")
    return value


def parse_options(text: str) -> tuple[str, ...]:
    return tuple(option.strip() for option in text.split("|") if option.strip())


def dial_key(phone: str) -> str:
    """The digits of a number, for comparing numbers typed differently."""
    return "".join(ch for ch in phone if ch.isdigit())
