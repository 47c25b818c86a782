"""Which days are working days: the configured weekdays, less public and extra holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from outreach.model.settings import ScheduleSettings

if TYPE_CHECKING:
    import holidays


class BusinessDays:
    def __init__(self, schedule: ScheduleSettings, country: str | None = None) -> None:
        """The team's working days; with `country`, that country's holidays (a rep's own)
        instead of the schedule's."""
        self._schedule = schedule
        self._weekdays = schedule.weekdays
        self._extra = frozenset(schedule.holidays)
        self._country = country or schedule.holiday_country
        self._cache: dict[date, bool] = {}
        self._next: dict[date, date] = {}

    @cached_property
    def _public(self) -> holidays.HolidayBase | None:
        if not self._country:
            return None
        import holidays  # its country tables are slow to import: only when a country is set

        # Years are filled in on first look-up, so a plan running into 2028 still sees its holidays.
        country, _, region = self._country.upper().partition("-")
        return holidays.country_holidays(country, subdiv=region or None)

    def __call__(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is None:
            known = self._cache[day] = (
                day.weekday() in self._weekdays
                and day not in self._extra
                and (self._public is None or day not in self._public)
            )
        return known

    def of(self, country: str | None) -> BusinessDays:
        """These working days with another country's holidays (a rep's own); these if none."""
        return BusinessDays(self._schedule, country) if country else self

    def next_on_or_after(self, day: date) -> date:
        found = self._next.get(day)
        if found is None:
            found = day
            while not self(found):
                found += timedelta(days=1)
            self._next[day] = found
        return found

    def next_after(self, day: date) -> date:
        return self.next_on_or_after(day + timedelta(days=1))
