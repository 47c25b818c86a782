"""Where a call can go: the starts open on a contact's day, where the contact's and the rep's
business hours meet (computed once per zone pair and day), and each rep's diary of the starts
already booked.

Times are integer UTC seconds, as the scheduler searches them."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from outreach.model.settings import Rep, ScheduleSettings
from outreach.model.zones import zone_info
from outreach.planning.business_days import BusinessDays

DAY = timedelta(days=1)


@dataclass
class Diary:
    """One rep's bookings: call starts per UTC day, and calls per day of the rep's own calendar."""

    rep: Rep
    zone: ZoneInfo
    business: BusinessDays
    """The rep's working days: the team's, with the rep's own public holidays if set."""
    starts: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    per_day: dict[date, int] = field(default_factory=dict)
    """Calls booked per day of the rep's calendar (a plain dict: read in the innermost loop)."""
    spread: Counter[date] = field(default_factory=Counter)
    """Calls per day as a campaign's even spread counts them."""
    full_until: dict[date, date] = field(default_factory=dict)
    exhausted: dict[str, dict[date, date]] = field(default_factory=lambda: defaultdict(dict))
    """Per contact zone, the days with no free slot left for a call there (bookings only ever
    add, so such a day stays full): later searches step over them in one hop."""
    cursor: dict[tuple[str, date], int] = field(default_factory=dict)
    last_apology: int = 0
    """When the rep's last apology booked so far starts: no other call is booked before it."""
    _offsets: dict[int, int] = field(default_factory=dict)

    def local_day(self, instant: int) -> date:
        """The rep's date at `instant`, from the zone's offset on that UTC day (looked up once
        per day); on the rare day the offset changes, from the zone itself."""
        utc_day = instant // 86400
        offset = self._offsets.get(utc_day)
        if offset is None:
            first, last = (
                int(datetime.fromtimestamp(t, self.zone).utcoffset().total_seconds())  # type: ignore[union-attr]
                for t in (utc_day * 86400, utc_day * 86400 + 86399)
            )
            offset = self._offsets[utc_day] = first if first == last else _CHANGES
        if offset == _CHANGES:
            return datetime.fromtimestamp(instant, self.zone).date()
        return _day_of((instant + offset) // 86400)

    def first_open_day(self, day: date) -> date:
        """The first of the rep's days on or after `day` still under the daily cap."""
        return _follow(self.full_until, day)

    def first_untried_day(self, contact_zone: str, day: date) -> date:
        return _follow(self.exhausted[contact_zone], day)

    def is_free(self, instant: int, booking: int) -> bool:
        """No booked call starts less than one booking before or after `instant`."""
        low, high = instant - booking, instant + booking
        first, last = low // 86400, high // 86400
        for bucket in (first, last) if first != last else (first,):
            starts = self.starts.get(bucket)
            if starts:
                index = bisect_right(starts, low)
                if index < len(starts) and starts[index] < high:
                    return False
        return True

    def book(self, instant: int, day: date, cap: int) -> None:
        insort(self.starts[instant // 86400], instant)
        booked = self.per_day[day] = self.per_day.get(day, 0) + 1
        if booked >= cap:
            self.full_until[day] = day + DAY


_CHANGES = 1 << 40
"""Marks a UTC day on which the zone's offset changes."""


@cache
def _day_of(days_since_epoch: int) -> date:
    return date(1970, 1, 1) + timedelta(days=days_since_epoch)


def _follow(links: dict[date, date], day: date) -> date:
    """The first day on or after `day` that `links` does not skip."""
    path = []
    while day in links:
        path.append(day)
        day = links[day]
    for visited in path:  # path compression keeps a long run of skipped days one hop long
        links[visited] = day
    return day


@dataclass(frozen=True, slots=True)
class DayStarts:
    """The starts a call may take on one of the contact's days, with what the search asks of
    each (looked up once per zone pair and day, not once per call)."""

    starts: list[int]
    """UTC seconds, in the order to try them."""
    rep_days: list[date]
    """The rep's date at each start."""
    first_rep_day: date
    last_rep_day: date
    outside: bool
    """Whether the starts lie outside the rep's hours."""


class Openings:
    """The starts open to calls of the schedule's length, spaced by the length and the buffer."""

    def __init__(self, schedule: ScheduleSettings) -> None:
        self.length = schedule.call_minutes * 60
        self.booking = (schedule.call_minutes + schedule.buffer_minutes) * 60
        """Seconds from one start to the next: a call and the buffer after it."""
        self._day_start, self._day_end = schedule.day_start, schedule.day_end
        self._windows: dict[tuple[str, str, str, date], DayStarts] = {}
        self._business_hours: dict[tuple[str, date], tuple[int, int]] = {}

    def on(self, contact_zone: str, diary: Diary, day: date) -> DayStarts:
        """Every start a call to this contact may take on their `day`.

        Inside the overlap of the contact's and the rep's business hours, where the two ever
        overlap; where they never do (a New York rep, a Sydney contact) the contact's hours win."""
        key = (contact_zone, diary.zone.key, diary.rep.holiday_country or "", day)
        known = self._windows.get(key)
        if known is not None:
            return known
        low, high = self._hours(zone_info(contact_zone), day)
        ever_overlap = False
        starts: list[int] = []
        rep_day = diary.local_day(low) - DAY
        while rep_day <= diary.local_day(high) + DAY:
            rep_low, rep_high = self._hours(diary.zone, rep_day)
            first, last = max(low, rep_low), min(high, rep_high)
            if last - first >= self.length:
                ever_overlap = True
                if diary.business(rep_day):
                    starts += range(first, last - self.length + 1, self.booking)
            rep_day += DAY
        if not ever_overlap:
            # The contact's hours win, and of those the ones nearest the rep's working day:
            # from New York, a Kolkata call at 16:30 there (07:00 for the rep), not at 09:00.
            starts = sorted(
                range(low, high - self.length + 1, self.booking),
                key=lambda start: (self._away_from_work(diary, start), start),
            )
        rep_days = [diary.local_day(start) for start in starts]
        result = self._windows[key] = DayStarts(
            starts,
            rep_days,
            min(rep_days, default=day),
            max(rep_days, default=day),
            not ever_overlap,
        )
        return result

    def _away_from_work(self, diary: Diary, start: int) -> int:
        """Seconds between a call starting at `start` and the rep's nearest working hours, by
        the clock (a Sunday evening is nearer than a Monday at half past midnight)."""
        today = diary.local_day(start)
        return min(
            max(low - (start + self.length), start - high, 0)
            for day in (today - DAY, today, today + DAY)
            for low, high in [self._hours(diary.zone, day)]
        )

    def _hours(self, zone: ZoneInfo, day: date) -> tuple[int, int]:
        """Business hours on `day` in `zone`, as UTC seconds."""
        key = (zone.key, day)
        known = self._business_hours.get(key)
        if known is None:
            known = self._business_hours[key] = (
                _epoch(day, self._day_start, zone),
                _epoch(day, self._day_end, zone),
            )
        return known


def _epoch(day: date, at: time, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, at, tzinfo=zone).timestamp())
