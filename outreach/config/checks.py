"""The checks a configuration passes once read: values in range, zones, holiday countries,
currencies and do-not-call numbers that mean something; each failure a ConfigError naming its key."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.errors import ConfigError
from outreach.intake.cells import MAX_ATTEMPTS, is_domain
from outreach.model.money import CODES
from outreach.model.phone import parse_country, read_phone
from outreach.model.settings import (
    WEEKDAYS,
    Config,
)

LONGEST_INTERVAL = 730
"""Most days between two calls of a sequence (and of a cooldown): two years."""
LIMITS = {
    "schedule.buffer_minutes": 24 * 60,
    "schedule.calls_per_day": 24 * 60,
    "plays.follow_up_days": LONGEST_INTERVAL,
    "plays.small_step_days": LONGEST_INTERVAL,
    "plays.substantial_offer_days": LONGEST_INTERVAL,
    "plays.keep_in_touch_months": 24,
    "plays.keep_in_touch_count": 40,
    "plays.lapsed_cooldown_days": LONGEST_INTERVAL,
    "plays.upset_cooldown_days": LONGEST_INTERVAL,
    "plays.retry_days": 20,
    "plays.max_tries": 20,
    "drop.max_attempts": MAX_ATTEMPTS,
    "calendar.reminder_minutes": 4 * 7 * 24 * 60,  # four weeks, the most calendar clients offer
}
"""The largest value of each number setting: far past any sensible one, and small enough that
a whole sequence (at most MOST_SMALL_STEPS small steps) from a date in values.YEARS ends
within about a century, far from Python's year 9999."""
MOST_SMALL_STEPS = 10


def validate(config: Config) -> None:
    source = config.source
    schedule = config.schedule
    check_zone(source, "schedule.timezone", schedule.timezone)
    for day in schedule.business_days:
        if day not in WEEKDAYS:
            raise ConfigError(
                source, "schedule.business_days", f"{day!r} is not one of {', '.join(WEEKDAYS)}"
            )
    if not schedule.business_days:
        raise ConfigError(source, "schedule.business_days", "needs at least one day")
    if schedule.day_end <= schedule.day_start:
        raise ConfigError(source, "schedule.day_end", "must be later than schedule.day_start")
    day_minutes = (schedule.day_end.hour * 60 + schedule.day_end.minute) - (
        schedule.day_start.hour * 60 + schedule.day_start.minute
    )
    for key, value in [
        ("schedule.call_minutes", schedule.call_minutes),
        ("schedule.calls_per_day", schedule.calls_per_day),
        ("plays.follow_up_days", config.plays.follow_up_days),
        ("plays.substantial_offer_days", config.plays.substantial_offer_days),
        ("plays.keep_in_touch_months", config.plays.keep_in_touch_months),
        ("plays.retry_days", config.plays.retry_days),
        ("plays.max_tries", config.plays.max_tries),
        ("drop.max_attempts", config.drop.max_attempts),
    ]:
        check_positive(source, key, value)
    if schedule.call_minutes > day_minutes:
        raise ConfigError(
            source,
            "schedule.call_minutes",
            f"{schedule.call_minutes} minutes do not fit in the business day",
        )
    for key, value in [
        ("schedule.buffer_minutes", schedule.buffer_minutes),
        ("plays.keep_in_touch_count", config.plays.keep_in_touch_count),
        ("plays.lapsed_cooldown_days", config.plays.lapsed_cooldown_days),
        ("plays.upset_cooldown_days", config.plays.upset_cooldown_days),
        ("calendar.reminder_minutes", config.calendar.reminder_minutes),
        ("schedule.min_lead_minutes", schedule.min_lead_minutes),
        ("invites.min_notice_hours", config.invites.min_notice_hours),
        ("invites.send_days_before", config.invites.send_days_before),
    ]:
        if value < 0:
            raise ConfigError(source, key, f"must not be negative, not {value}")
    if not is_domain(config.calendar.uid_domain):
        raise ConfigError(
            source, "calendar.uid_domain", f"{config.calendar.uid_domain!r} is not a domain name"
        )
    if any(days <= 0 for days in config.plays.small_step_days):
        raise ConfigError(
            source, "plays.small_step_days", "every interval must be at least one day"
        )
    steps = len(config.plays.small_step_days)
    if steps > MOST_SMALL_STEPS:
        message = f"at most {MOST_SMALL_STEPS} small steps, not {steps}"
        raise ConfigError(source, "plays.small_step_days", message)
    for key in LIMITS:
        section, name = key.split(".")
        value = getattr(getattr(config, section), name)
        for number in value if isinstance(value, tuple) else (value,):
            check_limit(source, key, number)
    if schedule.holiday_country:
        check_holiday_country(source, "schedule.holiday_country", schedule.holiday_country)
    check_currency(config)
    check_phones(config)


def check_currency(config: Config) -> None:
    if config.input.currency not in CODES:
        message = f"{config.input.currency!r} is not an ISO 4217 currency code such as USD or EUR"
        raise ConfigError(config.source, "input.currency", message)


def check_phones(config: Config) -> None:
    """input.phone_region is a country; each number on the do-not-call list can be read."""
    if config.input.phone_region:
        try:
            parse_country(config.input.phone_region)
        except ValueError as error:
            raise ConfigError(config.source, "input.phone_region", str(error)) from None
    for entry in config.drop.do_not_call:
        if "@" not in entry:
            try:
                read_phone(entry, config.default_region)
            except ValueError as error:
                raise ConfigError(config.source, "drop.do_not_call", str(error)) from None


def check_holiday_country(source: str, key: str, code: str) -> None:
    import holidays
    from holidays.registry import EntityLoader

    country, _, region = code.upper().partition("-")
    # The registry's codes: reading any country's table imports all 250 (slow), which only a
    # region needs.
    if country not in EntityLoader.get_country_codes():
        raise ConfigError(source, key, f"{code!r} is not a country code the holidays package knows")
    if region and region not in (regions := getattr(holidays, country).subdivisions):
        raise ConfigError(
            source,
            key,
            f"{region!r} is not a region of {country}; expected one of {', '.join(regions)}",
        )


def check_zone(source: str, key: str, zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, key, f"unknown time zone {zone!r}") from None


def check_limit(source: str, key: str, value: int) -> None:
    if value > LIMITS[key]:
        raise ConfigError(source, key, f"must be at most {LIMITS[key]:,}, not {value:,}")


def check_positive(source: str, key: str, value: int) -> None:
    if value <= 0:
        raise ConfigError(source, key, f"must be at least 1, not {value}")
