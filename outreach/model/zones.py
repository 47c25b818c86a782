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
