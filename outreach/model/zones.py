"""IANA time zones, looked up once per run."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo


@cache
def zone_info(name: str) -> ZoneInfo:
    """The IANA zone called `name`, looked up once per run (it is asked for per call)."""
    return ZoneInfo(name)


def local_hour(instant: int, zone: str) -> int:
    """The hour of the day in `zone` at `instant` (UTC seconds)."""
    return datetime.fromtimestamp(instant, zone_info(zone)).hour


def spoken_zone(name: str) -> str:
    """A zone as a person names it on the phone: `Australia/Sydney` → `Sydney time`; a zone
    that is no place (`UTC`, `Etc/GMT+5`) by its own name."""
    region, slash, place = name.rpartition("/")
    if not slash or region == "Etc":
        return place
    return f"{place.replace('_', ' ')} time"
