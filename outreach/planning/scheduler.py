"""From assignments to a plan: each call on a free slot inside business hours.

Times are handled as integer UTC seconds while searching, and become aware datetimes
only for the calls that are booked; windows per zone pair and day are computed once."""

from __future__ import annotations

import math
from bisect import bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from outreach.model.plan import Call, Flag, Plan, call_id
from outreach.model.plays import Play
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config, Rep
from outreach.model.zones import zone_info
from outreach.planning.business_days import BusinessDays
from outreach.planning.invitations import INVITED_PLAYS, draft_refusal
from outreach.planning.playbook import Step, after, first_call_day, sequence
from outreach.planning.triage import Assignment, triage

DAY = timedelta(days=1)
URGENT = frozenset({"apology", "follow_up"})
BOOKING_ORDER: tuple[Play, ...] = ("apology", "follow_up")
"""Plays booked for every contact before any other call (rule 2 under load)."""


def make_plan(
    contacts: Iterable[Contact],
    config: Config,
    start: date,
    source: str,
    rejected: Iterable[Skip] = (),
    now: datetime | None = None,
) -> Plan:
    """The whole scheduling stage: triage, then slots for every call, in priority order; with
    the run's clock `now`, none sooner than the lead time after it."""
    return make_roster(contacts, config, start, source, rejected, now).plan()


def make_roster(
    contacts: Iterable[Contact],
    config: Config,
    start: date,
    source: str,
    rejected: Iterable[Skip] = (),
    now: datetime | None = None,
) -> Roster:
    """Triage, with each rep's calls left to schedule when they are wanted."""
    assigned, skipped = triage(contacts, config, source)
    by_rep: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in assigned:
        by_rep[assignment.owner].append(assignment)
    skipped_rows = tuple(sorted([*rejected, *skipped], key=lambda s: s.line))
    by_rep = {rep: by_rep[rep] for rep in sorted(by_rep)}
    return Roster(config, start, by_rep, skipped_rows, now)


class Roster:
    """Who calls whom, rep by rep, with each rep's calls scheduled on demand.

    Reps share nothing in the schedule (each has their own diary), so a rep's calls are the
    same whether scheduled alone or with the whole team: `generate` schedules each rep in the
    worker process that writes the rep's files, and the plan is never held whole. A handed-over
    account is in the diary of the rep it was handed to, and only there."""

    def __init__(self, config: Config, start: date, by_rep: dict[str, list[Assignment]],
                 skipped: tuple[Skip, ...], now: datetime | None = None) -> None:  # fmt: skip
        self.config, self.start, self.by_rep, self.skipped = config, start, by_rep, skipped
        self.now = now
        self._scheduler: Scheduler | None = None

    @property
    def reps(self) -> list[str]:
        return list(self.by_rep)

    def calls_of(self, rep: str) -> list[Call]:
        """The rep's calls in plan order (start, then id)."""
        if self._scheduler is None:  # one per process: its windows are per zone and day, not rep
            self._scheduler = Scheduler(self.config, self.now)
        calls, _ = self._scheduler.schedule(self.by_rep.get(rep, ()), self.start)
        self._scheduler.diaries.pop(rep, None)
        calls.sort(key=lambda c: (c.at, c.id))
        return calls

    def weights(self) -> Counter[str]:
        """About how much work each rep is: their contacts."""
        return Counter({rep: len(assignments) for rep, assignments in self.by_rep.items()})

    def steps(self) -> Iterator[tuple[Assignment, Step]]:
        """Every call the plan will hold, unscheduled: without a window every step is booked."""
        plays = self.config.plays
        for assignments in self.by_rep.values():
            for assignment in assignments:
                for step in sequence(assignment.contact, plays):
                    yield assignment, step

    def call_count(self) -> int:
        return sum(1 for _ in self.steps())

    def planned_ids(self) -> set[str]:
        return {
            call_id(a.contact.account_id, a.contact.contact_name, step.play, step.step)
            for a, step in self.steps()
        }

    def plan(self) -> Plan:
        """The whole plan, every rep scheduled here."""
        calls = tuple(call for rep in self.by_rep for call in self.calls_of(rep))
        return Plan(self.start, calls, self.skipped)


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
class _Starts:
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


@dataclass(frozen=True, slots=True)
class Window:
    """A campaign's span: calls fall between `first` and `last`, spread by daily quotas."""

    first: date
    last: date
    quotas: Mapping[str, Mapping[date, int]] = field(default_factory=dict)
    """Rep → the calls to give each of the rep's days, for an even load; the daily cap elsewhere."""


@dataclass(slots=True)
class _Progress:
    """One contact on their way through the sequence: the calls booked so far."""

    assignment: Assignment
    diary: _Diary
    steps: list[Step]
    day: date
    """The contact's day of the last call booked; before the first, the earliest day for it."""
    not_before: int
    """No call of the contact starts sooner (UTC seconds): the lead time, or the notice an
    invitation draft gives."""
    calls: list[Call] = field(default_factory=list)
    stopped: bool = False
    """Past the window: the next campaign continues from the stage reached."""


class Scheduler:
    def __init__(self, config: Config, now: datetime | None = None) -> None:
        """With the run's clock `now`, no call starts sooner than `schedule.min_lead_minutes`
        after it, nor a call an invitation draft proposes sooner than `invites.min_notice_hours`."""
        self.config = config
        schedule = config.schedule
        self.business = BusinessDays(schedule)
        self.length = schedule.call_minutes * 60
        self.booking = (schedule.call_minutes + schedule.buffer_minutes) * 60
        self.cap = schedule.calls_per_day
        self.not_before = self.notice = 0  # without a clock, nothing is in the past
        if now is not None:
            clock = math.ceil(now.timestamp())  # a clock at 09:00:00.5 allows no call at 09:00
            self.not_before = clock + schedule.min_lead_minutes * 60
            self.notice = max(self.not_before, clock + config.invites.min_notice_hours * 3600)
        self.diaries: dict[str, _Diary] = {}
        self._windows: dict[tuple[str, str, str, date], _Starts] = {}
        self._business_hours: dict[tuple[str, date], tuple[int, int]] = {}
        self._days: dict[tuple[str, int], date] = {}

    def schedule(
        self, assignments: Iterable[Assignment], start: date, window: Window | None = None
    ) -> tuple[list[Call], list[Assignment]]:
        """Calls for every assignment; and, within a window, those whose first call found no room
        (over capacity).

        Rule 2 under load: every contact's apology is booked before any follow-up, and every
        follow-up before the other calls, each round in priority order; a rep's other calls
        start after the rep's last apology. Reps share no slot, so this order per rep is the
        order across the team."""
        contacts = [self._progress(a, start) for a in sorted(assignments, key=priority)]
        for play in BOOKING_ORDER:
            for progress in contacts:
                steps, done = progress.steps, len(progress.calls)
                if done < len(steps) and steps[done].play == play and not progress.stopped:
                    self._book_next(progress, window)
        for progress in contacts:
            while len(progress.calls) < len(progress.steps) and not progress.stopped:
                self._book_next(progress, window)
        calls = [call for progress in contacts for call in progress.calls]
        return calls, [progress.assignment for progress in contacts if not progress.calls]

    def _progress(self, assignment: Assignment, start: date) -> _Progress:
        contact = assignment.contact
        steps = sequence(contact, self.config.plays)
        diary = self._diary(assignment.owner)
        not_before = self.not_before
        invited = next((step.play for step in steps if step.play in INVITED_PLAYS), None)
        if (
            self.notice > not_before
            and invited
            and draft_refusal(self.config, contact, invited, assignment.owner) is None
        ):
            # Drafts are counted on whether or not they are asked for: adding --invites to a
            # run never moves a call.
            not_before = self.notice
        day = start
        if steps:
            day = first_call_day(contact, steps[0], start, self.config.plays, diary.business)
        day = max(day, self._day_at(not_before, contact.timezone))
        return _Progress(assignment, diary, steps, day, not_before)

    def _book_next(self, progress: _Progress, window: Window | None) -> None:
        assignment, diary = progress.assignment, progress.diary
        contact = assignment.contact
        step = progress.steps[len(progress.calls)]
        day, floor = progress.day, progress.not_before
        if progress.calls:
            day = after(day, step.after, diary.business)
        urgent = step.play in URGENT
        if not urgent and diary.last_apology > floor:
            floor = diary.last_apology
            floor_day = self._day_at(floor, contact.timezone)
            if floor_day > day:
                day = floor_day
        # Apologies and follow-ups are never spread out: rules 2 and 7 want them soon.
        booked = self._book_in(window, diary, contact.timezone, day, urgent, floor)
        if booked is None:
            progress.stopped = True
            return
        instant, outside_rep_hours, booked_day = booked
        flags: list[Flag] = ["handover"] if assignment.handover_from else []
        if outside_rep_hours:
            flags.append("outside_rep_hours")
        if step.only_if_small_steps_went_well:
            flags.append("only_if_small_steps_went_well")
        if step.play == "apology":
            if instant > diary.last_apology:
                diary.last_apology = instant
            # Due within one business day of the first day it could have been (rule 2).
            if booked_day > day and booked_day > diary.business.next_after(
                diary.business.next_on_or_after(day)
            ):
                flags.append("late")
        progress.day = booked_day
        progress.calls.append(
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

    def _day_at(self, instant: int, zone: str) -> date:
        """The date in `zone` at `instant` (looked up once per floor and zone)."""
        key = (zone, instant)
        known = self._days.get(key)
        if known is None:
            known = self._days[key] = datetime.fromtimestamp(instant, zone_info(zone)).date()
        return known

    def _book_in(
        self, window: Window | None, diary: _Diary, contact_zone: str, day: date, urgent: bool,
        floor: int,
    ) -> tuple[int, bool, date] | None:  # fmt: skip
        if window is None:
            return self._book(diary, contact_zone, day, floor)
        if day > window.last:
            return None
        quota = None if urgent else window.quotas.get(diary.rep.name)
        if quota is not None and (
            spread := self._book(diary, contact_zone, day, floor, window.last, quota)
        ):
            return spread
        return self._book(diary, contact_zone, day, floor, window.last)

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
        floor: int,
        last: date | None = None,
        quota: Mapping[date, int] | None = None,
    ) -> tuple[int, bool, date] | None:
        """The first free start on or after `day` and `floor` (and not after `last`), booked;
        whether it is outside the rep's hours; and the contact's day it falls on. With a quota,
        a rep's day takes only its share of calls."""
        while last is None or day <= last:
            day = diary.business.next_on_or_after(day)
            if quota is None and (untried := diary.first_untried_day(contact_zone, day)) != day:
                day = untried
                continue
            if last is not None and day > last:
                break
            window = self._window(contact_zone, diary, day)
            starts, rep_days, outside_rep_hours = window.starts, window.rep_days, window.outside
            skip_to = day + DAY
            if starts:
                open_day = diary.first_open_day(window.first_rep_day)
                if open_day > window.last_rep_day:
                    skip_to = day + (open_day - window.first_rep_day) - DAY
                    starts = []
            # Calls outside the rep's hours are spread over the contact's days: the rep's day
            # of a Sydney morning call from New York is a Sunday, never in a quota.
            quota_day = day if outside_rep_hours else None
            key = (contact_zone, day)
            # Starts before the cursor were refused for good (the rep's day was full, or the
            # slot taken), so each start is looked at about once however many calls follow.
            first = diary.cursor.get(key, 0) if quota is None else 0
            per_day, cap, time_off = diary.per_day, self.cap, diary.rep.time_off
            floored = False  # a start refused for this call's floor may suit the next call
            for index in range(first, len(starts)):
                instant = starts[index]
                if instant < floor:
                    floored = True
                    continue
                rep_day = rep_days[index]
                if per_day.get(rep_day, 0) >= cap or (time_off and diary.rep.is_off(rep_day)):
                    continue
                spread_day = quota_day or rep_day
                if quota is not None and diary.spread[spread_day] >= quota.get(spread_day, 0):
                    continue
                if diary.is_free(instant, self.booking):
                    diary.book(instant, rep_day, self.cap)
                    diary.spread[spread_day] += 1
                    if quota is None and not floored:
                        diary.cursor[key] = index + 1
                    return instant, outside_rep_hours, day
            # Linked to a business day, so that a run of full weeks is one hop, weekends and all.
            day = diary.business.next_on_or_after(max(skip_to, day + DAY))
            if quota is None and not floored:  # a quota's refusal is no proof the day is full
                diary.exhausted[contact_zone][key[1]] = day
        return None

    def _window(self, contact_zone: str, diary: _Diary, day: date) -> _Starts:
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
        result = self._windows[key] = _Starts(
            starts,
            rep_days,
            min(rep_days, default=day),
            max(rep_days, default=day),
            not ever_overlap,
        )
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
