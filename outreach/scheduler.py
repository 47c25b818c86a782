"""From assignments to a plan: each call on a free slot inside business hours.

Times are handled as integer UTC seconds while searching, and become aware datetimes
only for the calls that are booked; windows per zone pair and day are computed once."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from outreach.business_days import BusinessDays
from outreach.config import Config, Rep
from outreach.plan import Call, Flag, Plan, call_id
from outreach.playbook import after, first_call_day, sequence
from outreach.records import Contact, Skip
from outreach.triage import Assignment, triage
from outreach.values import zone_info

DAY = timedelta(days=1)
URGENT = frozenset({"apology", "follow_up"})


def make_plan(
    contacts: Iterable[Contact],
    config: Config,
    start: date,
    source: str,
    rejected: Iterable[Skip] = (),
) -> Plan:
    """The whole scheduling stage: triage, then slots for every call, in priority order."""
    assigned, skipped = triage(contacts, config, source)
    calls, _ = Scheduler(config).schedule(assigned, start)
    return Plan.ordered(start, calls, [*rejected, *skipped])


def priority(assignment: Assignment) -> tuple[object, ...]:
    """Upset before lapsed, bigger accounts first, older incidents first; then a fixed order."""
    contact = assignment.contact
    return (
        contact.status != "upset",
        -(assignment.account_value or 0),
        contact.incident_date or date.max,
        contact.account_id,
        contact.contact_name.casefold(),
    )


def _epoch(day: date, at: time, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, at, tzinfo=zone).timestamp())


@dataclass
class _Diary:
    """One rep's bookings: call starts per UTC day, and calls per day of the rep's own calendar."""

    rep: Rep
    zone: ZoneInfo
    business: BusinessDays
    """The rep's working days: the team's, with the rep's own public holidays if set."""
    starts: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    per_day: Counter[date] = field(default_factory=Counter)
    spread: Counter[date] = field(default_factory=Counter)
    """Calls per day as a campaign's even spread counts them."""
    full_until: dict[date, date] = field(default_factory=dict)
    exhausted: dict[str, dict[date, date]] = field(default_factory=lambda: defaultdict(dict))
    """Per contact zone, the days with no free slot left for a call there (bookings only ever
    add, so such a day stays full): later searches step over them in one hop."""
    cursor: dict[tuple[str, date], int] = field(default_factory=dict)
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
        for bucket in {(instant - booking) // 86400, (instant + booking) // 86400}:
            starts = self.starts.get(bucket)
            if starts:
                index = bisect_right(starts, instant - booking)
                if index < len(starts) and starts[index] < instant + booking:
                    return False
        return True

    def book(self, instant: int, day: date, cap: int) -> None:
        insort(self.starts[instant // 86400], instant)
        self.per_day[day] += 1
        if self.per_day[day] >= cap:
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
class Window:
    """A campaign's span: calls fall between `first` and `last`, spread by daily quotas."""

    first: date
    last: date
    quotas: Mapping[str, Mapping[date, int]] = field(default_factory=dict)
    """Rep → the calls to give each of the rep's days, for an even load; the daily cap elsewhere."""


class Scheduler:
    def __init__(self, config: Config) -> None:
        self.config = config
        schedule = config.schedule
        self.business = BusinessDays(schedule)
        self.length = schedule.call_minutes * 60
        self.booking = (schedule.call_minutes + schedule.buffer_minutes) * 60
        self.cap = schedule.calls_per_day
        self.diaries: dict[str, _Diary] = {}
        self._windows: dict[tuple[str, str, str, date], tuple[list[int], bool]] = {}
        self._business_hours: dict[tuple[str, date], tuple[int, int]] = {}

    def schedule(
        self, assignments: Iterable[Assignment], start: date, window: Window | None = None
    ) -> tuple[list[Call], list[Assignment]]:
        """Calls for every assignment in priority order; and, within a window, those whose first
        call found no room (over capacity)."""
        calls: list[Call] = []
        overflow: list[Assignment] = []
        for assignment in sorted(assignments, key=priority):
            booked = self._sequence(assignment, start, window)
            calls.extend(booked)
            if not booked:
                overflow.append(assignment)
        return calls, overflow

    def _sequence(self, assignment: Assignment, start: date, window: Window | None) -> list[Call]:
        contact = assignment.contact
        plays = self.config.plays
        diary = self._diary(assignment.owner)
        zone = zone_info(contact.timezone)
        base: list[Flag] = ["handover"] if assignment.handover_from else []
        calls: list[Call] = []
        steps = sequence(contact, plays)
        day = first_call_day(contact, steps[0], start, plays, diary.business) if steps else start
        for step in steps:
            if calls:
                day = after(day, step.after, diary.business)
            # Apologies and follow-ups are never spread out: rules 2 and 7 want them soon.
            booked = self._book_in(window, diary, contact.timezone, day, step.play in URGENT)
            if booked is None:
                break  # past the window: the next campaign continues from the stage reached
            instant, outside_rep_hours = booked
            day = datetime.fromtimestamp(instant, zone).date()
            flags = [*base]
            if outside_rep_hours:
                flags.append("outside_rep_hours")
            if step.only_if_small_steps_went_well:
                flags.append("only_if_small_steps_went_well")
            calls.append(
                Call(
                    id=call_id(contact.account_id, contact.contact_name, step.play, step.step),
                    contact=contact,
                    owner=assignment.owner,
                    play=step.play,
                    step=step.step,
                    at=instant,
                    minutes=self.config.schedule.call_minutes,
                    flags=tuple(flags),
                    handover_from=assignment.handover_from,
                )
            )
        return calls

    def _book_in(
        self, window: Window | None, diary: _Diary, contact_zone: str, day: date, urgent: bool
    ) -> tuple[int, bool] | None:
        if window is None:
            return self._book(diary, contact_zone, day)
        if day > window.last:
            return None
        quota = None if urgent else window.quotas.get(diary.rep.name)
        spread = None if quota is None else self._book(diary, contact_zone, day, window.last, quota)
        return spread or self._book(diary, contact_zone, day, window.last)

    def _diary(self, owner: str) -> _Diary:
        diary = self.diaries.get(owner)
        if diary is None:
            rep = self.config.rep(owner)
            diary = self.diaries[owner] = _Diary(
                rep,
                zone_info(self.config.rep_timezone(owner)),
                self.business.of(rep.holiday_country),
            )
        return diary

    def _book(
        self,
        diary: _Diary,
        contact_zone: str,
        day: date,
        last: date | None = None,
        quota: Mapping[date, int] | None = None,
    ) -> tuple[int, bool] | None:
        """The first free start on or after `day` (and not after `last`), booked; and whether it
        is outside the rep's hours. With a quota, a rep's day takes only its share of calls."""
        while last is None or day <= last:
            day = diary.business.next_on_or_after(day)
            if quota is None and (untried := diary.first_untried_day(contact_zone, day)) != day:
                day = untried
                continue
            if last is not None and day > last:
                break
            starts, outside_rep_hours = self._window(contact_zone, diary, day)
            skip_to = day + DAY
            first_rep_day = diary.local_day(min(starts)) if starts else day
            open_day = diary.first_open_day(first_rep_day)
            if starts and open_day > diary.local_day(max(starts)):
                skip_to = day + (open_day - first_rep_day) - DAY
                starts = []
            # Calls outside the rep's hours are spread over the contact's days: the rep's day
            # of a Sydney morning call from New York is a Sunday, never in a quota.
            quota_day = day if outside_rep_hours else None
            key = (contact_zone, day)
            # Starts before the cursor were refused for good (the rep's day was full, or the
            # slot taken), so each start is looked at about once however many calls follow.
            first = diary.cursor.get(key, 0) if quota is None else 0
            for index in range(first, len(starts)):
                instant = starts[index]
                rep_day = diary.local_day(instant)
                if diary.per_day[rep_day] >= self.cap or diary.rep.is_off(rep_day):
                    continue
                spread_day = quota_day or rep_day
                if quota is not None and diary.spread[spread_day] >= quota.get(spread_day, 0):
                    continue
                if diary.is_free(instant, self.booking):
                    diary.book(instant, rep_day, self.cap)
                    diary.spread[spread_day] += 1
                    if quota is None:
                        diary.cursor[key] = index + 1
                    return instant, outside_rep_hours
            # Linked to a business day, so that a run of full weeks is one hop, weekends and all.
            day = diary.business.next_on_or_after(max(skip_to, day + DAY))
            if quota is None:  # a quota's refusal is no proof the day is full
                diary.exhausted[contact_zone][key[1]] = day
        return None

    def _window(self, contact_zone: str, diary: _Diary, day: date) -> tuple[list[int], bool]:
        """Every start a call to this contact may take on their `day`, in UTC seconds, and
        whether those lie outside the rep's hours.

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
        result = self._windows[key] = (starts, not ever_overlap)
        return result

    def _away_from_work(self, diary: _Diary, start: int) -> int:
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
            schedule = self.config.schedule
            known = self._business_hours[key] = (
                _epoch(day, schedule.day_start, zone),
                _epoch(day, schedule.day_end, zone),
            )
        return known
