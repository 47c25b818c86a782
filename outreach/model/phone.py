"""Phone numbers, the one place they are read and written: as typed, in the contact's region,
into E.164 and the `tel:` URI every output links to (`tel:+12125550100;ext=12`).

Reading and validation are Google's libphonenumber (the `phonenumbers` package); which
country a time zone belongs to comes from the tz database's own zone.tab (the `tzdata`
package), so neither table is ours to keep up to date."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from outreach.model.text import shown

if TYPE_CHECKING:  # imported when a number is read: `outreach --help` needs no phone data
    import phonenumbers


@dataclass(frozen=True, slots=True)
class Phone:
    """A number as read from a cell: E.164 digits, its extension, and how sure we are of it."""

    e164: str
    """`+12125550100`: the country code and the national number, nothing else."""
    extension: str | None
    international: str
    """As a person reads it, anywhere in the world: `+1 212-555-0100 ext. 12`."""
    valid: bool
    """False for a possible number that libphonenumber does not know as in use."""

    @property
    def line(self) -> tuple[str, str | None]:
        """What rings: the number and its extension, as a do-not-call entry names one."""
        return self.e164, self.extension

    @property
    def tel(self) -> str:
        """The RFC 3966 URI, without visual separators: `tel:+12125550100;ext=12`."""
        return f"tel:{self.e164}" + (f";ext={self.extension}" if self.extension else "")


@cache
def _parse_errors() -> dict[int, str]:
    """What NumberParseException's error types mean."""
    from phonenumbers import NumberParseException as Error

    return {
        Error.NOT_A_NUMBER: "is not a phone number",
        Error.TOO_SHORT_AFTER_IDD: "has too few digits after the international prefix",
        Error.TOO_SHORT_NSN: "has too few digits",
        Error.TOO_LONG: "is too long for a phone number",
    }


@cache
def _impossible() -> dict[int, str]:
    """What ValidationResult's reasons a number is impossible mean."""
    from phonenumbers import ValidationResult as Result

    return {
        Result.TOO_SHORT: "has too few digits for a number in {where}",
        Result.TOO_LONG: "has too many digits for a number in {where}",
        Result.INVALID_LENGTH: "has a number of digits no number in {where} has",
        Result.INVALID_COUNTRY_CODE: "starts with an unknown country code",
        Result.IS_POSSIBLE_LOCAL_ONLY: "is a local number in {where}: add its area code",
    }


@lru_cache(maxsize=4096)  # an export repeats switchboard numbers; the library is pure Python
def read_phone(text: str, region: str | None) -> Phone:
    """The number in `text`, typed as someone in `region` would dial it (ISO 3166 code, or
    None when unknown: then only numbers with their country code can be read).

    Raises ValueError, with a message fit for the user, for text that is not even a possible
    number: letters, too few or too many digits, a local number without its area code."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

    quoted = repr(shown(text))
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            reason = (
                "has no country code (+…), and the contact's country is unknown: add a country "
                "column or a time zone, or set input.phone_region"
                if region is None and not text.lstrip().startswith("+")
                else "starts with an unknown country code"
            )
        else:
            reason = _parse_errors().get(error.error_type, "is not a phone number")
        raise ValueError(f"{quoted} {reason}") from None
    if _letters_among_digits(text, number.extension):
        raise ValueError(f"{quoted} has letters in it: only a number and its extension belong here")
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        reason = _impossible().get(possible, "is not a possible number")
        raise ValueError(f"{quoted} {reason.format(where=_country_of(number.country_code))}")
    if number.extension:  # `ext. ١٢` as `;ext=12`: RFC 3966 extensions are ASCII digits
        number.extension = phonenumbers.normalize_digits_only(number.extension)
    return Phone(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        number.extension or None,
        phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        _is_valid(number, region),
    )


def _is_valid(number: phonenumbers.PhoneNumber, region: str | None) -> bool:
    """is_valid_number, asked of the contact's own region first: for +1 the library would
    otherwise try some 25 regions of the North American plan, a third of a row's reading."""
    import phonenumbers

    if region and phonenumbers.country_code_for_region(region) == number.country_code:
        return phonenumbers.is_valid_number_for_region(number, region) or bool(
            phonenumbers.is_valid_number(number)
        )
    return bool(phonenumbers.is_valid_number(number))


def _letters_among_digits(text: str, extension: str | None) -> bool:
    """Whether a letter stands among the number's digits: `call 212…`, `1-800-FLOWERS` (which
    the library would read as a vanity number). An extension's label (`ext.`, `x`) is fine."""
    head = text
    if extension:
        cut = text.rfind(extension)
        head = text[:cut] if cut >= 0 else text
        digits = [i for i, char in enumerate(head) if char.isdecimal()]
        head = head[: digits[-1] + 1] if digits else head
    return any(char.isalpha() for char in head)


def tel_uri(text: str | None) -> str:
    """The `tel:` URI of a number written with its country code (as `Phone.international`
    writes it); empty for none. For the `tel` filter of templates."""
    if not text:
        return ""
    try:
        return read_phone(text, None).tel
    except ValueError:
        return ""


def doubt(phone: Phone, text: str) -> str | None:
    """Why a possible number might still not ring: libphonenumber does not know it as in use."""
    if phone.valid:
        return None
    import phonenumbers

    quoted = repr(shown(text))
    where = _country_of(phonenumbers.parse(phone.e164, None).country_code)
    return f"{quoted} is not a number in use in {where} as far as we know; kept, check it"


def _country_of(code: int | None) -> str:
    """`United States (US)` for 1, the main country of a country code; or `country code +800`."""
    import phonenumbers

    country = phonenumbers.region_code_for_country_code(code or 0)
    return country_name(country) if country in _countries() else f"country code +{code}"


# Regions: ISO 3166 codes, from a country column, a time zone or a setting.


def _tzdata_table(name: str) -> list[list[str]]:
    """The rows of one of the tz database's tables, as tzdata ships it."""
    from importlib import resources

    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _countries() -> dict[str, str]:
    """ISO 3166 code → the tz database's English name, for the regions libphonenumber knows."""
    from phonenumbers import SUPPORTED_REGIONS

    supported = SUPPORTED_REGIONS
    return {row[0]: row[1] for row in _tzdata_table("iso3166.tab") if row[0] in supported}


@cache
def _codes_by_name() -> dict[str, str]:
    """`germany`, `de`, `britain` and `uk` (from `Britain (UK)`) → their ISO 3166 code."""
    names: dict[str, str] = {}
    for code, name in _countries().items():
        short, _, aside = name.partition(" (")
        names.setdefault(name.casefold(), code)
        names.setdefault(short.casefold(), code)
        aside = aside.rstrip(")")
        if len(aside) == 2 and aside.isupper():
            names.setdefault(aside.casefold(), code)
    names.update({code.casefold(): code for code in _countries()})
    return names


@cache
def _codes_by_any_name() -> dict[str, str]:
    """Names in the languages libphonenumber knows (`United Kingdom`, `Deutschland`): a large
    table, so it is loaded only for a name the tz database's table lacks."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    return {
        name.casefold(): code
        for code, names in LOCALE_DATA.items()
        if code in _countries()
        for name in names.values()
        if not name.startswith("*")  # `*en`: the same name as in that language
    }


def country_name(code: str) -> str:
    return f"{_countries().get(code, code)} ({code})"


@lru_cache(maxsize=1024)
def parse_country(text: str) -> str:
    """A country as a CRM writes it: `DE`, `de`, `Germany`, `United Kingdom`, `Deutschland`;
    its ISO 3166 alpha-2 code."""
    key = " ".join(text.split()).casefold()
    code = _codes_by_name().get(key) or _codes_by_any_name().get(key)
    if code is None:
        raise ValueError(
            f"unknown country {shown(text)!r}; expected an ISO 3166 code such as DE or GB, "
            "or an English name such as Germany"
        )
    return code


@cache
def _zone_countries() -> dict[str, str]:
    """Zone → country, from zone.tab, with the database's links (`US/Eastern`) followed."""
    from importlib import resources

    countries = {row[2]: row[0] for row in _tzdata_table("zone.tab")}
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    links = dict(line.split()[2:0:-1] for line in text.splitlines() if line.startswith("L "))
    for link, target in links.items():
        while target not in countries and target in links:
            target = links[target]
        if link not in countries and target in countries:
            countries[link] = countries[target]
    return countries


def zone_region(zone: str) -> str | None:
    """The country of an IANA zone (`Europe/Berlin` → `DE`); None for `UTC` and the like."""
    code = _zone_countries().get(zone)
    return code if code in _countries() else None
