"""Reading single CSV cells the ways people type them. Each parser raises ValueError with a
message fit for the user; intake adds the file, line and field."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

from outreach.model.money import Money, currency_of
from outreach.model.outcomes import Promise
from outreach.model.records import DECISION_MAKER
from outreach.model.text import shown
from outreach.model.zones import zone_info

MAX_MONEY = Decimal(10) ** 12
MAX_ATTEMPTS = 1000
YEARS = (1900, 2200)
"""The years a date may fall in: in the data, --start, --from, --to, --now and
SOURCE_DATE_EPOCH. `9999-12-31`, a CRM's "no date", is refused rather than read, and every
step the plan takes from a date in range (bounded by the settings' ranges) stays far from
Python's year 9999."""


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
_YEAR = re.compile(r"\d{4}|^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_DOTTED = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}")
_FAR_APART = (datetime(2000, 1, 1), datetime(2001, 2, 28))  # noqa: DTZ001 - only defaults


_Day = TypeVar("_Day", bound=date)


def in_range(day: _Day, typed: str) -> _Day:
    """day, if it falls in YEARS; typed is how it was given, for the message."""
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"{shown(typed)!r} is outside the years {YEARS[0]} to {YEARS[1]}")
    return day


@lru_cache(maxsize=4096)
def parse_date(text: str, day_first: bool = False) -> date:
    """`2026-03-04`, `03/04/2026`, `4 March 2026`, `Mar 4, 2026`; day first on request; in
    YEARS.

    Cached: an export repeats the same few hundred dates across all its rows."""
    return in_range(_read_date(text, day_first), text)


def _read_date(text: str, day_first: bool) -> date:
    if len(text) > 40:
        raise ValueError(f"cannot read {shown(text)!r} as a date")
    if _ISO.fullmatch(text):  # before dateutil, which would read 2026-03-04 day first on request
        try:
            return date.fromisoformat(text[:10])
        except ValueError as error:
            raise ValueError(f"{text!r} is not a date ({error})") from None
    if not _YEAR.search(text):
        raise ValueError(f"cannot read {text!r} as a date with a year")
    if _DOTTED.fullmatch(text):
        day_first = True  # 01.12.2026 is the first of December wherever dots are written
    from dateutil import parser as dateparser  # only for dates not written the ISO way

    try:
        # Parsed twice with different defaults: a date missing its day or month reads differently.
        first, second = (dateparser.parse(text, dayfirst=day_first, default=d) for d in _FAR_APART)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"cannot read {text!r} as a date ({error})") from None
    if first.date() != second.date():
        raise ValueError(f"{text!r} is not a whole date (day, month and year)")
    return first.date()


_HOURS_APART = (datetime(2000, 1, 1, 0), datetime(2001, 2, 28, 13))  # noqa: DTZ001 - only defaults


def parse_moment(text: str, zone: str, day_first: bool = False) -> datetime:
    """A date and a time of day: `2027-03-09T14:30`, `2027-03-09 14:30-05:00`, `3/9/2027 2:30
    PM`; aware, in `zone` when it names no UTC offset; in YEARS."""
    if len(text) > 60:
        raise ValueError(f"cannot read {shown(text)!r} as a date and time")
    if _ISO.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise ValueError(f"{text!r} is not a date and time ({error})") from None
        timed = len(text) > 10
    else:
        if not _YEAR.search(text):
            raise ValueError(f"cannot read {text!r} as a date and time with a year")
        day_first = day_first or _DOTTED.match(text) is not None
        from dateutil import parser as dateparser

        try:
            # Parsed twice with different defaults: a time of day missing reads differently.
            moment, other = (
                dateparser.parse(text, dayfirst=day_first, default=d) for d in _HOURS_APART
            )
        except (ValueError, OverflowError) as error:
            raise ValueError(f"cannot read {text!r} as a date and time ({error})") from None
        if moment.date() != other.date():
            raise ValueError(f"{text!r} is not a whole date (day, month and year)")
        timed = moment == other
    if not timed:
        raise ValueError(f"{text!r} has no time of day")
    return in_range(moment if moment.tzinfo else moment.replace(tzinfo=zone_info(zone)), text)


_SYMBOLS = "$¢-¥֏؋৲৳৻૱௹฿៛\u20a0-\u20c0꠸﷼﹩＄￠￡￥￦"  # Unicode's currency symbols (Sc)
_UNIT = re.compile(rf"(?:[^\W\d_]{{0,3}}[{_SYMBOLS}]|[^\W\d_]{{2,4}})?")  # $, US$, EUR, kr, CHF
_MAGNITUDES = frozenset({"mio", "mln", "mn", "mm", "mrd", "bn"})
# Whatever comes before the first digit, the number, whatever comes after the last digit: one
# way to split, so no backtracking over a long cell.
_AMOUNT = re.compile(r"(\D*?)(\.?\d(?:[\d.,'’\s]*\d)?)(\D*)")
_SCIENTIFIC = re.compile(r"([-+−]?)((?:\d+(?:\.\d*)?|\.\d+)[eE][-+]?\d+)")  # as Excel writes
_SIGNS = re.compile(r"[\s+\-−.]")  # and the dot of `Fr.` or of `5.`
_GROUPING = re.compile(r"[\s'’]")
_THOUSANDS = re.compile(r",\d{3}$")
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")


@lru_cache(maxsize=4096)  # an account's rows repeat its value: one Money for all of them
def parse_money(text: str, default_currency: str = "USD") -> Money:
    """`$12,500`, `12500.00`, `EUR 12.500,00`, `12 500 €`, `1.2E+5`: a non-negative amount in
    the currency typed beside it (a code or a symbol), else in `default_currency`.

    `(500)`, `-500` and `500-` are negative; letters inside the number (`12k`, `1.5M`) are
    refused rather than dropped."""
    body = text.strip()
    accounting = body.startswith("(") and body.endswith(")")
    if accounting:
        body = body[1:-1].strip()
    currency = default_currency
    if scientific := _SCIENTIFIC.fullmatch(body):
        signs, number = scientific[1], scientific[2]
    elif (amount := _AMOUNT.fullmatch(body)) and (units := _units(amount[1], amount[3])):
        signs, number = amount[1] + amount[3], _decimal_point(_GROUPING.sub("", amount[2]))
        currency = _currency(units, default_currency, text)
    else:
        raise ValueError(f"cannot read {shown(text)!r} as an amount of money")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"cannot read {shown(text)!r} as an amount of money") from None
    if value and (accounting or "-" in signs or "−" in signs):
        raise ValueError(f"{shown(text)!r} is negative")
    if value >= MAX_MONEY:
        raise ValueError(f"{shown(text)!r} is implausibly large")
    if scientific:  # 1.2E+5 as 120000.00; the range is checked, so this is short
        value = value.quantize(Decimal("0.01"))
    return Money(value, currency)


def _units(*around: str) -> list[str] | None:
    """The currency units typed around a number (`-$`, ` EUR`, `US$ `, `-`: signs dropped),
    or None when the text there is not signs and currency."""
    units = []
    for text in around:
        unit = _SIGNS.sub("", text)
        if not _UNIT.fullmatch(unit) or unit.casefold() in _MAGNITUDES:
            return None
        units.append(unit)
    return units


def _currency(units: list[str], default: str, text: str) -> str:
    """The one currency the units name (`$12 USD` is fine, `$12 EUR` is not)."""
    codes = {currency_of(unit, default) for unit in units if unit}
    if len(codes) > 1:
        raise ValueError(f"{shown(text)!r} names two currencies, {' and '.join(sorted(codes))}")
    return codes.pop() if codes else default


def _decimal_point(number: str) -> str:
    """`12,500.00`, `12.500,00` and `12,50` with the thousands dropped and a `.` for decimals."""
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
    elif number.count(",") == 1 and not _THOUSANDS.search(number):
        decimal_mark = ","
    elif number.count(".") > 1 or _DOT_THOUSANDS.fullmatch(number):
        decimal_mark = ","  # `40.000` is forty thousand: money is not written with three decimals
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    return number.replace(thousands, "").replace(decimal_mark, ".")


def parse_count(text: str) -> int:
    try:
        value = int(text.replace(",", "").strip())
    except ValueError:
        raise ValueError(f"cannot read {shown(text)!r} as a whole number") from None
    if value < 0:
        raise ValueError(f"{shown(text)!r} is negative")
    if value > MAX_ATTEMPTS:
        raise ValueError(f"{shown(text)!r} is implausibly large")
    return value


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


@lru_cache(maxsize=1024)
def parse_zone(text: str) -> str:
    """An IANA zone name, in any case (`america/new_york` reads as `America/New_York`)."""
    name = _zones_by_folded_name().get(text.casefold())
    if name is None:
        raise ValueError(f"unknown time zone {shown(text)!r}")
    ZoneInfo(name)
    return name


# One way to split: neither part holds an @. The domain's dot is looked for apart, as
# `[^@]+\.[^@]+` would try every dot of a long cell with every length of what follows it.
_EMAIL = re.compile(r"[^@\s<>,;\"]+@([^@\s<>,;\"]+)")


def parse_email(text: str) -> str:
    """Something@somewhere.else: one @, and a dot inside the domain."""
    found = _EMAIL.fullmatch(text)
    if not found or "." not in found[1][1:-1]:
        raise ValueError(f"{shown(text)!r} is not an e-mail address")
    return text


_SEPARATORS = re.compile(r"[\s\-]+")


def parse_choice(text: str, choices: tuple[str, ...], what: str) -> str:
    """`Won Back`, `won-back` and `WON_BACK` all read as `won_back`."""
    if text in choices:
        return text
    value = _SEPARATORS.sub("_", text.strip().casefold())
    if value not in choices:
        raise ValueError(f"unknown {what} {shown(text)!r}; expected one of {', '.join(choices)}")
    return value


def parse_role(text: str) -> str:
    """`Decision Maker`, `decision-maker` and `DECISION_MAKER` read as `decision_maker` (rule
    19); any other role is kept as it is written."""
    folded = _SEPARATORS.sub("_", text.strip().casefold())
    return DECISION_MAKER if folded == DECISION_MAKER else text


@lru_cache(maxsize=4096)  # likewise its options: one tuple for all of them
def parse_options(text: str) -> tuple[str, ...]:
    return tuple(option.strip() for option in text.split("|") if option.strip())


_DUE = re.compile(r"(.*?)\s*\(due ([^()]*)\)", re.DOTALL)  # a promise may hold line breaks


def parse_promises(text: str, day_first: bool = False) -> tuple[Promise, ...]:
    """`Credit of 10% (due 2027-03-20) | New pallets (due 2027-03-25)`, as promises_cell
    writes open promises into accounts.next.csv."""
    promises = []
    for item in parse_options(text):
        match = _DUE.fullmatch(item)
        if not match or not match[1]:
            raise ValueError(
                f"cannot read {shown(item)!r} as a promise; write each as 'what was promised "
                "(due 2027-03-20)', several separated by |"
            )
        promises.append(Promise(match[1], parse_date(match[2].strip(), day_first)))
    return tuple(promises)


def promises_cell(promises: tuple[Promise, ...]) -> str:
    """The cell parse_promises reads."""
    return " | ".join(f"{promise.text} (due {promise.due.isoformat()})" for promise in promises)


# Plain ASCII only: an address or domain goes into mailto: URIs, mail headers and UIDs as is.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def is_plain_address(text: str) -> bool:
    """Whether an e-mail address can go unescaped into a mailto: URI and a mail header."""
    return _PLAIN_ADDRESS.fullmatch(text) is not None


def is_domain(text: str) -> bool:
    return _DOMAIN.fullmatch(text) is not None
