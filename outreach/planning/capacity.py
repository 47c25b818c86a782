"""How much of each rep's capacity a plan uses, week by week: the calls a rep can make are
`calls_per_day` on each of their working days (holidays and time off removed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from outreach.model.plan import Call
from outreach.model.settings import Config
from outreach.model.zones import zone_info
from outreach.planning.business_days import BusinessDays


def working_days(
    rep: str, first: date, last: date, config: Config, business: BusinessDays
) -> list[date]:
    """The days from first to last the rep works: business days of their country, not off."""
    who = config.rep(rep)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    works = business.of(who.holiday_country)
    return [day for day in days if works(day) and not who.is_off(day)]


@dataclass(frozen=True, slots=True)
class WeekLoad:
    calls: int
    capacity: int
    """The calls the rep can make that week: calls_per_day on each working day of the window."""
    outside_hours: int = 0
    """Calls that week outside the rep's working hours (inside the contact's)."""

    @property
    def share(self) -> float:
        """The part of the capacity used; more than 1 when calls spill outside working days."""
        if not self.capacity:
            return 1.0 if self.calls else 0.0
        return self.calls / self.capacity


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rep_day(call: Call, config: Config) -> date:
    """The day of the call on its rep's calendar, which their capacity is counted in."""
    return datetime.fromtimestamp(call.at, zone_info(config.rep_timezone(call.owner))).date()


def mondays(first: date, last: date) -> tuple[date, ...]:
    """Monday of each week from first to last."""
    start = monday_of(first)
    return tuple(start + timedelta(weeks=n) for n in range((last - start).days // 7 + 1))


def weekly_load(
    calls: Iterable[Call], reps: Iterable[str], first: date, last: date, config: Config
) -> dict[str, dict[date, WeekLoad]]:
    """Rep → Monday of each week the window touches → the rep's calls that week (on the rep's
    own calendar) against the rep's capacity that week."""
    counted: dict[str, Counter[date]] = {rep: Counter() for rep in reps}
    outside: dict[str, Counter[date]] = {rep: Counter() for rep in reps}
    for call in calls:
        monday = monday_of(rep_day(call, config))
        counted.setdefault(call.owner, Counter())[monday] += 1
        if "outside_rep_hours" in call.flags:
            outside.setdefault(call.owner, Counter())[monday] += 1
    business = BusinessDays(config.schedule)
    load: dict[str, dict[date, WeekLoad]] = {}
    for rep, by_week in sorted(counted.items()):
        days = Counter(map(monday_of, working_days(rep, first, last, config, business)))
        per_day = config.schedule.calls_per_day
        load[rep] = {
            monday: WeekLoad(by_week[monday], per_day * days[monday], outside[rep][monday])
            for monday in mondays(first, last)
        }
    return load
