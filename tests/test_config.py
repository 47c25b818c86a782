from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from outreach.config import find_config, load_config, with_overrides
from outreach.errors import ConfigError
from outreach.model.settings import Config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config.schedule.calls_per_day == 12
    assert config.schedule.day_start == time(9) and config.schedule.day_end == time(17)
    assert config.schedule.weekdays == frozenset(range(5))
    assert config.drop.min_account_value == Decimal(1000)


def test_a_full_file_is_read(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """
[input]
day_first = true
default_owner = "Pat"

[schedule]
timezone = "Europe/Berlin"
business_days = ["mon", "tue", "wed", "thu"]
day_start = "08:30"
day_end = 16:00:00
calls_per_day = 8
holiday_country = "DE"
holidays = ["2027-12-24", 2027-12-31]

[plays]
small_step_days = [10, 20, 40]

[drop]
min_account_value = "2500.50"
do_not_call = ["+49 89 1234"]

[calendar]
reminder_minutes = 10
uid_domain = "example.com"

[reps."Dana Ruiz"]
timezone = "America/Chicago"
email = "dana@example.com"
time_off = ["2027-03-10", "2027-03-15..2027-03-19"]

[columns]
"Account Name" = "company"
""",
        )
    )
    assert config.input.day_first and config.input.default_owner == "Pat"
    assert config.schedule.day_start == time(8, 30) and config.schedule.day_end == time(16)
    assert config.schedule.holidays == (date(2027, 12, 24), date(2027, 12, 31))
    assert config.plays.small_step_days == (10, 20, 40)
    assert config.drop.min_account_value == Decimal("2500.50")
    rep = config.rep("Dana Ruiz")
    assert rep.is_off(date(2027, 3, 17)) and not rep.is_off(date(2027, 3, 11))
    assert config.rep_timezone("Dana Ruiz") == "America/Chicago"
    assert config.rep_timezone("Someone Else") == "Europe/Berlin"
    assert config.columns == {"Account Name": "company"}


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[schedule]\ncalls_a_day = 3\n", "schedule.calls_a_day", "unknown key"),
        ("[shedule]\n", "shedule", "unknown section"),
        ("[schedule]\ncalls_per_day = '12'\n", "schedule.calls_per_day", "whole number"),
        ("[schedule]\ncalls_per_day = 0\n", "schedule.calls_per_day", "at least 1"),
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", "schedule.timezone", "unknown time zone"),
        ("[schedule]\nday_start = '9am'\n", "schedule.day_start", "must be a time"),
        ("[schedule]\nday_start = '18:00'\n", "schedule.day_end", "later than"),
        ("[schedule]\nbusiness_days = ['monday']\n", "schedule.business_days", "'monday'"),
        ("[schedule]\nholiday_country = 'XX'\n", "schedule.holiday_country", "country code"),
        ("[input]\nday_first = 'yes'\n", "input.day_first", "true or false"),
        ("[input]\ncurrency = 'usd'\n", "input.currency", "not an ISO 4217 currency code"),
        ("[reps.Dana]\nphone = '1'\n", "reps.Dana.phone", "unknown key"),
        (
            "[reps.Dana]\ntime_off = ['2027-03-19..2027-03-15']\n",
            "reps.Dana.time_off",
            "ends before",
        ),
        ("[columns]\n'Account Name' = 'firm'\n", "columns.Account Name", "not a field"),
        ("[schedule\n", "syntax", "line 1"),
    ],
)
def test_a_bad_setting_names_the_file_and_key(
    tmp_path: Path, text: str, key: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=fragment) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_command_line_overrides_win() -> None:
    config = with_overrides(Config(), timezone="Asia/Tokyo", calls_per_day=3)
    assert config.schedule.timezone == "Asia/Tokyo" and config.schedule.calls_per_day == 3


def test_the_file_in_the_working_folder_is_found(tmp_path: Path) -> None:
    assert find_config(None, tmp_path) is None
    path = write(tmp_path, "")
    assert find_config(None, tmp_path) == path
    assert find_config(Path("other.toml"), tmp_path) == Path("other.toml")


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[reps.Dana]\nemail = 'dana@example.com\\r\\nBcc: x@evil.example'\n", "reps.Dana.email"),
        ("[reps.Dana]\nemail = 'not an address'\n", "reps.Dana.email"),
        ("[calendar]\nuid_domain = 'exa mple'\n", "calendar.uid_domain"),
        ("[reps.Dana]\ncaldav_url = 'webcal://dav.example.com/dana/'\n", "reps.Dana.caldav_url"),
        ("[reps.Dana]\ncaldav_url = 'https://dana:pw@dav.example.com/'\n", "reps.Dana.caldav_url"),
        (
            "[reps.Dana]\ncaldav_url = 'https://dav.example.com/\\r\\nX: y'\n",
            "reps.Dana.caldav_url",
        ),
    ],
)
def test_addresses_that_would_break_a_header_or_uid_are_refused(
    tmp_path: Path, text: str, key: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_holidays_of_a_region() -> None:
    from outreach.config import parse_config
    from outreach.planning.business_days import BusinessDays

    bavaria = BusinessDays(parse_config({"schedule": {"holiday_country": "DE-BY"}}, "s").schedule)
    berlin = BusinessDays(parse_config({"schedule": {"holiday_country": "DE-BE"}}, "s").schedule)
    epiphany = date(2027, 1, 6)  # a Wednesday, a holiday in Bavaria only
    assert not bavaria(epiphany) and berlin(epiphany)
    with pytest.raises(ConfigError, match="not a region of DE"):
        parse_config({"schedule": {"holiday_country": "DE-XX"}}, "s")


def test_a_rep_may_have_holidays_of_their_own(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[reps."Ana"]\nholiday_country = "GB"\n'))
    assert config.rep("Ana").holiday_country == "GB"
    with pytest.raises(ConfigError, match=r"reps\.Ana\.holiday_country"):
        load_config(write(tmp_path, '[reps."Ana"]\nholiday_country = "Narnia"\n'))
