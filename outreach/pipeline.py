"""The stages joined up: a contacts file and settings in, a plan out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.business_days import BusinessDays
from outreach.config import Config
from outreach.intake import read_contacts
from outreach.plan import Plan
from outreach.records import Contact, Skip
from outreach.scheduler import make_plan


def default_start(now: datetime, config: Config) -> date:
    """The next business day after today, today being the date in the default zone."""
    today = now.astimezone(ZoneInfo(config.schedule.timezone)).date()
    return BusinessDays(config.schedule).next_on_or_after(today + timedelta(days=1))


def plan_file(path: Path, config: Config, start: date) -> Plan:
    contacts: list[Contact] = []
    rejected: list[Skip] = []
    for item in read_contacts(path, config):
        (contacts if isinstance(item, Contact) else rejected).append(item)  # type: ignore[arg-type]
    return make_plan(contacts, config, start, str(path), rejected)
