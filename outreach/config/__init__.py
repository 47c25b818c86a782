"""Settings from one TOML file (`outreach.toml`), with a documented default for every key."""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from outreach.config.checks import (
    check_holiday_country,
    check_limit,
    check_phones,
    check_positive,
    check_zone,
    validate,
)
from outreach.errors import ConfigError
from outreach.intake.cells import MAX_MONEY, is_plain_address
from outreach.intake.columns import NAMED_FIELDS
from outreach.model.outcomes import OUTCOMES
from outreach.model.settings import (
    CalendarSettings,
    Config,
    DropSettings,
    InputSettings,
    InvitesSettings,
    PlaySettings,
    Rep,
    ScheduleSettings,
)

CONFIG_NAME = "outreach.toml"


_SECTIONS = {
    "input": InputSettings,
    "schedule": ScheduleSettings,
    "plays": PlaySettings,
    "drop": DropSettings,
    "calendar": CalendarSettings,
    "invites": InvitesSettings,
}


def with_overrides(
    config: Config,
    *,
    timezone: str | None = None,
    calls_per_day: int | None = None,
) -> Config:
    """The settings a user changes per run, given on the command line."""
    schedule = config.schedule
    if timezone is not None:
        check_zone(config.source, "schedule.timezone", timezone)
        schedule = replace(schedule, timezone=timezone)
    if calls_per_day is not None:
        check_positive(config.source, "schedule.calls_per_day", calls_per_day)
        check_limit(config.source, "schedule.calls_per_day", calls_per_day)
        schedule = replace(schedule, calls_per_day=calls_per_day)
    config = replace(config, schedule=schedule)
    check_phones(config)  # another zone may place the do-not-call numbers elsewhere
    return config


def find_config(explicit: Path | None, cwd: Path) -> Path | None:
    if explicit is not None:
        return explicit
    candidate = cwd / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(path, "file", "not found") from None
    except OSError as error:
        raise ConfigError(path, "file", error.strerror or str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "syntax", str(error)) from None
    return parse_config(data, str(path))


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    known = {*_SECTIONS, "reps", "columns", "outcomes"}
    for key in data:
        if key not in known:
            raise ConfigError(
                source, key, f"unknown section; expected one of {', '.join(sorted(known))}"
            )
    sections = {
        name: _section(cls, _table(data, name, source), name, source)
        for name, cls in _SECTIONS.items()
    }
    config = Config(
        source=source,
        reps=_reps(_table(data, "reps", source), source),
        columns=_named(data, "columns", NAMED_FIELDS, "a field", source),
        outcomes=_named(data, "outcomes", OUTCOMES, "an outcome", source),
        **sections,
    )
    validate(config)
    return config


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "must be a table, like [" + key + "]")
    return value


def _section(cls: type[Any], table: Mapping[str, Any], prefix: str, source: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        where = f"{prefix}.{key}"
        if key not in names:
            raise ConfigError(
                source, where, f"unknown key; expected one of {', '.join(sorted(names))}"
            )
        values[key] = _convert(hints[key], raw, where, source)
    return cls(**values)


def _convert(hint: Any, raw: Any, where: str, source: str) -> Any:
    """Check a TOML value against a settings field's type and convert it."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):  # `X | None`: an empty string means None
        inner = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        return None if raw == "" else _convert(inner, raw, where, source)
    if origin is tuple:
        if not isinstance(raw, list):
            raise ConfigError(source, where, f"must be a list, not {_kind(raw)}")
        inner = typing.get_args(hint)[0]
        return tuple(_convert(inner, item, where, source) for item in raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(source, where, f"must be true or false, not {_kind(raw)}")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(source, where, f"must be a whole number, not {_kind(raw)}")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(source, where, f"must be a string, not {_kind(raw)}")
        return raw
    if hint is Decimal:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ConfigError(source, where, f"must be a number, not {_kind(raw)}")
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ConfigError(source, where, f"must be a number, not {raw!r}") from None
        if not (number.is_finite() and 0 <= number < MAX_MONEY):
            raise ConfigError(
                source, where, f"must be a number from 0 to {MAX_MONEY:,}, not {raw!r}"
            )
        return number
    if hint is time:
        try:
            moment = raw if isinstance(raw, time) else time.fromisoformat(str(raw))
        except ValueError:
            raise ConfigError(source, where, f'must be a time like "09:00", not {raw!r}') from None
        if moment.tzinfo is not None:  # hours are each contact's own, in their zone
            raise ConfigError(
                source, where, f'must be a time like "09:00", without a UTC offset, not {raw!r}'
            )
        return moment
    if hint is date:
        if isinstance(raw, datetime):  # a TOML date and time: never equal to a day
            raise ConfigError(
                source, where, f"must be a date like 2027-01-04, not a date and time ({raw})"
            )
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise ConfigError(
                source, where, f'must be a date like "2027-01-04", not {raw!r}'
            ) from None
    raise AssertionError(f"no conversion for {hint}")  # a settings field of a new type


def _kind(raw: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(raw), type(raw).__name__)


def _reps(table: Mapping[str, Any], source: str) -> dict[str, Rep]:
    reps: dict[str, Rep] = {}
    allowed = {"timezone", "email", "time_off", "holiday_country", "manager", "caldav_url"}
    for name, entry in table.items():
        where = f"reps.{name}"
        if not isinstance(entry, Mapping):
            raise ConfigError(source, where, 'must be a table, like [reps."Dana Ruiz"]')
        for key in entry:
            if key not in allowed:
                raise ConfigError(
                    source,
                    f"{where}.{key}",
                    f"unknown key; expected one of {', '.join(sorted(allowed))}",
                )
        zone = _convert(str | None, entry.get("timezone", ""), f"{where}.timezone", source)
        if zone:
            check_zone(source, f"{where}.timezone", zone)
        email = _convert(str | None, entry.get("email", ""), f"{where}.email", source)
        if email and not is_plain_address(email):
            raise ConfigError(source, f"{where}.email", f"{email!r} is not a plain e-mail address")
        spans = _convert(tuple[str, ...], entry.get("time_off", []), f"{where}.time_off", source)
        country = _convert(
            str | None, entry.get("holiday_country", ""), f"{where}.holiday_country", source
        )
        if country:
            check_holiday_country(source, f"{where}.holiday_country", country)
        manager = _convert(str | None, entry.get("manager", ""), f"{where}.manager", source)
        caldav_url = _caldav_url(entry, where, source)
        off = tuple(_span(s, f"{where}.time_off", source) for s in spans)
        reps[name] = Rep(name, zone, email, off, country, manager, caldav_url)
    for name, rep in reps.items():  # rule 16: the manager's invitation goes to their e-mail
        if rep.manager and (rep.manager == name or not getattr(reps.get(rep.manager), "email", 0)):
            why = f'needs its own [reps."{rep.manager}"] entry with an email'
            raise ConfigError(source, f"reps.{name}.manager", f"{rep.manager!r} {why}")
    return reps


def _caldav_url(entry: Mapping[str, Any], where: str, source: str) -> str | None:
    url: str | None = _convert(
        str | None, entry.get("caldav_url", ""), f"{where}.caldav_url", source
    )
    if url and (
        not url.startswith(("https://", "http://"))
        or url.split() != [url]
        or "@" in urlsplit(url).netloc  # a password belongs in no file
    ):
        raise ConfigError(source, f"{where}.caldav_url", f"{url!r} is not an http(s) URL")
    return url


def _span(text: str, where: str, source: str) -> tuple[date, date]:
    """A day ("2027-03-10") or an inclusive range ("2027-03-15..2027-03-19")."""
    first, _, last = text.partition("..")
    try:
        span = (date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip()))
    except ValueError:
        raise ConfigError(
            source,
            where,
            f'must be dates like "2027-03-10" or "2027-03-15..2027-03-19", not {text!r}',
        ) from None
    if span[1] < span[0]:
        raise ConfigError(source, where, f"range {text!r} ends before it starts")
    return span


def _named(
    data: Mapping[str, Any], section: str, ours: tuple[str, ...], what: str, source: str
) -> dict[str, str]:
    """A table naming one of `ours` for each of a CRM's names: its headers, its call results."""
    named: dict[str, str] = {}
    for name, target in _table(data, section, source).items():
        if target not in ours:  # a number or a list is not one of ours either
            message = f"{target!r} is not {what}; expected one of {', '.join(ours)}"
            raise ConfigError(source, f"{section}.{name}", message)
        named[name] = target
    return named
