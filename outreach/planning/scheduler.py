"""From assignments to a plan: rep by rep, the calls booked in rounds (every apology, then
every follow-up, then the rest), each on the first free start of `slots` on or after its day.

Times are integer UTC seconds while searching, and become aware datetimes only for the calls
that are booked."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from outreach.model.plan import Call, Flag, Plan, call_id
from outreach.model.plays import Play
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config
from outreach.model.zones import local_hour, zone_info
from outreach.planning.business_days import BusinessDays
from outreach.planning.history import History, Standing, first_day, remaining_steps, stand
from outreach.planning.invitations import INVITED_PLAYS, draft_refusal
from outreach.planning.playbook import Step, after, first_call_day
from outreach.planning.slots import DAY, Diary, Openings
from outreach.planning.triage import Assignment, triage

URGENT = frozenset({"apology", "follow_up"})
BOOKING_ORDER: tuple[Play, ...] = ("apology", "follow_up")
"""Plays booked for every contact before any other call (rule 2 under load)."""


def make_roster(
    contacts: Iterable[Contact],
    config: Config,
    start: date,
    source: str,
    rejected: Iterable[Skip] = (),
    now: datetime | None = None,
    history: History | None = None,
) -> Roster:
    """Triage, with each rep's calls left to schedule when they are wanted; with the `history`
    of calls made, each contact's sequence goes on from where it stands."""
    assigned, skipped = triage(contacts, config, source)
    assigned, standings = stand(assigned, history, source, skipped)
    by_rep: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in assigned:
        by_rep[assignment.owner].append(assignment)
    skipped_rows = tuple(sorted([*rejected, *skipped], key=lambda s: s.line))
    by_rep = {rep: by_rep[rep] for rep in sorted(by_rep)}
    return Roster(config, start, by_rep, skipped_rows, now, standings)


class Roster:
    """Who calls whom, rep by rep, with each rep's calls scheduled on demand.

    Reps share nothing in the schedule (each has their own diary), so a rep's calls are the
    same whether scheduled alone or with the whole team: `generate` schedules each rep in the
    worker process that writes the rep's files, and the plan is never held whole. A handed-over
    account is in the diary of the rep it was handed to, and only there."""

    def __init__(
        self,
        config: Config,
        start: date,
        by_rep: dict[str, list[Assignment]],
        skipped: tuple[Skip, ...],
        now: datetime | None = None,
        standings: Mapping[tuple[str, str], Standing] | None = None,
    ) -> None:
        self.config, self.start, self.by_rep, self.skipped = config, start, by_rep, skipped
        self.now, self.standings = now, standings or {}
        self._scheduler: Scheduler | None = None

    @property
    def reps(self) -> list[str]:
        return list(self.by_rep)

    def calls_of(self, rep: str) -> list[Call]:
        """The rep's calls in plan order (start, then id)."""
        if self._scheduler is None:  # one per process: its windows are per zone and day, not rep
            self._scheduler = Scheduler(self.config, self.now, self.standings)
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
                standing = self.standings.get(assignment.contact.key)
                yield from ((assignment, s) for s in remaining_steps(assignment, standing, plays))

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
    """Upset before lapsed, bigger accounts first (amounts as typed: no exchange rates),
    older incidents first, decision makers first; then a fixed order."""
    contact = assignment.contact
    value = assignment.account_value
    return (
        contact.status != "upset",
        -(value.amount if value else 0),
        contact.incident_date or date.max,
        contact.account_id,
        not contact.decision_maker,
        contact.contact_name.casefold(),
    )


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
    diary: Diary
    steps: list[Step]
    day: date
    """The contact's day of the last call booked; before the first, the earliest day for it."""
    not_before: int
    """No call of the contact starts sooner (UTC seconds): the lead time, or the notice an
    invitation draft gives."""
    standing: Standing | None = None
    calls: list[Call] = field(default_factory=list)
    stopped: bool = False
    """Past the window: the next campaign continues from the stage reached."""


class Scheduler:
    def __init__(
        self,
        config: Config,
        now: datetime | None = None,
        standings: Mapping[tuple[str, str], Standing] | None = None,
    ) -> None:
        """With the run's clock `now`, no call starts sooner than `schedule.min_lead_minutes`
        after it, nor a call an invitation draft proposes sooner than `invites.min_notice_hours`.
        A contact with a standing (see planning.history) goes on from it."""
        self.config = config
        self.standings = standings or {}
        schedule = config.schedule
        self.business = BusinessDays(schedule)
        self.openings = Openings(schedule)
        self.cap = schedule.calls_per_day
        self.not_before = self.notice = 0  # without a clock, nothing is in the past
        if now is not None:
            clock = math.ceil(now.timestamp())  # a clock at 09:00:00.5 allows no call at 09:00
            self.not_before = clock + schedule.min_lead_minutes * 60
            self.notice = max(self.not_before, clock + config.invites.min_notice_hours * 3600)
        self.diaries: dict[str, Diary] = {}
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
        contacts = [self._progress(a, start) for a in sorted(assignments, key=self._priority)]
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

    def _priority(self, assignment: Assignment) -> tuple[object, ...]:
        """Overdue calls first (issue 16), then by priority."""
        standing = self.standings.get(assignment.contact.key)
        return (not (standing and standing.overdue), priority(assignment))

    def _progress(self, assignment: Assignment, start: date) -> _Progress:
        contact = assignment.contact
        standing = self.standings.get(contact.key)
        steps = remaining_steps(assignment, standing, self.config.plays)
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
        if standing and steps:
            day = first_day(contact, standing, start, self.config.plays, diary.business)
        elif steps:
            day = first_call_day(contact, steps[0], start, self.config.plays, diary.business)
        day = max(day, self._day_at(not_before, contact.timezone))
        return _Progress(assignment, diary, steps, day, not_before, standing)

    def _book_next(self, progress: _Progress, window: Window | None) -> None:
        assignment, diary = progress.assignment, progress.diary
        contact = assignment.contact
        step = progress.steps[len(progress.calls)]
        day, floor = progress.day, progress.not_before
        if progress.calls:
            day = after(day, step.after, diary.business)
        day = max(day, step.not_before or day)
        urgent = step.play in URGENT
        if not urgent and diary.last_apology > floor:
            floor = diary.last_apology
            floor_day = self._day_at(floor, contact.timezone)
            if floor_day > day:
                day = floor_day
        standing = None if progress.calls else progress.standing
        if standing is None or standing.callback is None:
            # Apologies and follow-ups are never spread out: rules 2 and 7 want them soon.
            avoid = standing.avoid_hour if standing else None
            booked = self._book_in(window, diary, contact.timezone, day, urgent, floor, avoid)
        else:  # the time the contact asked for, never moved
            booked = self._book_exact(diary, contact.timezone, standing.callback)
        if booked is None:
            progress.stopped = True
            return
        instant, outside_rep_hours, booked_day = booked
        flags: list[Flag] = ["handover"] if assignment.handover_from else []
        if flags and not progress.calls and not (progress.standing and progress.standing.spoken):
            flags.append("introduce")  # the new rep's first word with the contact (rule 13)
        if outside_rep_hours:
            flags.append("outside_rep_hours")
        if step.only_if_small_steps_went_well:
            flags.append("only_if_small_steps_went_well")
        flags += ["no_sales_steps"] if assignment.no_sales_because else []  # rule 14
        flags += step.flags
        if step.play == "apology" and "callback" not in step.flags:
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
                note=assignment.no_sales_because,
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
        self,
        window: Window | None,
        diary: Diary,
        contact_zone: str,
        day: date,
        urgent: bool,
        floor: int,
        avoid: int | None = None,
    ) -> tuple[int, bool, date] | None:
        if window is None:
            return self._book(diary, contact_zone, day, floor, avoid=avoid)
        if day > window.last:
            return None
        quota = None if urgent else window.quotas.get(diary.rep.name)
        if quota is not None and (
            spread := self._book(diary, contact_zone, day, floor, window.last, quota, avoid)
        ):
            return spread
        return self._book(diary, contact_zone, day, floor, window.last, avoid=avoid)

    def _book_exact(
        self, diary: Diary, contact_zone: str, moment: datetime
    ) -> tuple[int, bool, date]:
        """`moment` booked as it is, whatever else the diary holds; whether it is outside the
        rep's hours; the contact's day."""
        instant = int(moment.timestamp())
        rep_day = diary.local_day(instant)
        schedule, rep_time = self.config.schedule, datetime.fromtimestamp(instant, diary.zone)
        end = datetime.fromtimestamp(instant + self.openings.length, diary.zone)
        inside = schedule.day_start <= rep_time.time() and end.time() <= schedule.day_end
        outside = not (inside and end.date() == rep_day and diary.business(rep_day))
        diary.book(instant, rep_day, self.cap)
        return instant, outside, self._day_at(instant, contact_zone)

    def _diary(self, owner: str) -> Diary:
        diary = self.diaries.get(owner)
        if diary is None:
            rep = self.config.rep(owner)
            diary = self.diaries[owner] = Diary(
                rep,
                zone_info(self.config.rep_timezone(owner)),
                self.business.of(rep.holiday_country),
            )
        return diary

    def _book(
        self,
        diary: Diary,
        contact_zone: str,
        day: date,
        floor: int,
        last: date | None = None,
        quota: Mapping[date, int] | None = None,
        avoid: int | None = None,
    ) -> tuple[int, bool, date] | None:
        """The first free start on or after `day` and `floor` (and not after `last`), booked;
        whether it is outside the rep's hours; and the contact's day it falls on. With a quota,
        a rep's day takes only its share of calls; with `avoid`, no start in that hour of the
        contact's day."""
        booking = self.openings.booking
        while last is None or day <= last:
            day = diary.business.next_on_or_after(day)
            if quota is None and (untried := diary.first_untried_day(contact_zone, day)) != day:
                day = untried
                continue
            if last is not None and day > last:
                break
            window = self.openings.on(contact_zone, diary, day)
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
                if instant < floor or (
                    avoid is not None and local_hour(instant, contact_zone) == avoid
                ):
                    floored = True
                    continue
                rep_day = rep_days[index]
                if per_day.get(rep_day, 0) >= cap or (time_off and diary.rep.is_off(rep_day)):
                    continue
                spread_day = quota_day or rep_day
                if quota is not None and diary.spread[spread_day] >= quota.get(spread_day, 0):
                    continue
                if diary.is_free(instant, booking):
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
