"""Quarterly win-back campaigns: who is due a touch in a window, spread evenly over it."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from outreach.intake.cells import in_range
from outreach.model.plan import Call, Plan
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config
from outreach.model.text import plural
from outreach.planning.business_days import BusinessDays
from outreach.planning.capacity import working_days
from outreach.planning.history import History, Standing, remaining_steps, stand
from outreach.planning.playbook import after, earliest_first_call, sequence
from outreach.planning.scheduler import Scheduler, Window
from outreach.planning.triage import Assignment, triage

_QUARTER = re.compile(r"(\d{4})\s*(?:-\s*)?[Qq]([1-4])")  # no two runs of spaces side by side


def parse_quarter(text: str) -> tuple[date, date]:
    """`2027Q1` or `2027-Q1`: its first and last day."""
    match = _QUARTER.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2027Q1")
    year, quarter = int(match[1]), int(match[2])
    first = in_range(date(year, 3 * quarter - 2, 1), text.strip())
    return first, first + relativedelta(months=3) - timedelta(days=1)


def campaign_window(
    quarter: str | None, first: date | None, last: date | None
) -> tuple[date, date]:
    """The window a campaign covers: a quarter, or an explicit first and last day."""
    if quarter:
        if first or last:
            raise ValueError("give either --quarter or --from/--to, not both")
        return parse_quarter(quarter)
    if not (first and last):
        raise ValueError("give --quarter (like 2027Q1), or both --from and --to")
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return first, last


def window_name(first: date, last: date) -> str:
    quarter = (first.month - 1) // 3 + 1
    if (first, last) == parse_quarter(f"{first.year}Q{quarter}"):
        return f"{first.year}Q{quarter}"
    return f"{first.isoformat()}..{last.isoformat()}"


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A rep whose due contacts do not fit in the window, and what would make them fit."""

    rep: str
    contacts: int
    calls: int
    more_per_day: int
    reps_with_room: tuple[str, ...]

    def advice(self) -> str:
        options = [f"{plural(self.more_per_day, 'more call')} a day"]
        if self.reps_with_room:
            options.append(f"handing them to {' or '.join(self.reps_with_room)}")
        return (
            f"{self.rep}: {plural(self.contacts, 'contact')} ({plural(self.calls, 'call')}) "
            f"over capacity; {' or '.join(options)} would fit them"
        )


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    plan: Plan
    name: str
    shortfalls: tuple[Shortfall, ...]
    standings: Mapping[int, Standing] | None = None
    """Input line → where the contact's calls stand, when the campaign read outcomes."""


def last_touch(contact: Contact) -> date | None:
    """The latest of the last contact and the calls the previous campaign planned."""
    planned = contact.extras.get("next_call")
    touches = [contact.last_contact, contact.stage_date]
    if planned:
        with suppress(ValueError):  # a hand-edited cell: fall back to last_contact
            touches.append(in_range(datetime.fromisoformat(planned).date(), planned))
    known = [day for day in touches if day is not None]
    return max(known) if known else None


def is_due(contact: Contact, last: date, config: Config) -> bool:
    """Upset contacts are always due their next step; lapsed ones once a quarter has passed."""
    if contact.status != "lapsed":
        return True
    touched = last_touch(contact)
    return (
        touched is None or touched + relativedelta(months=config.plays.keep_in_touch_months) <= last
    )


def plan_campaign(
    contacts: Iterable[Contact],
    config: Config,
    first: date,
    last: date,
    source: str,
    rejected: Iterable[Skip] = (),
    now: datetime | None = None,
    history: History | None = None,
) -> CampaignPlan:
    name = window_name(first, last)
    due: list[Contact] = []
    skipped = list(rejected)
    for contact in contacts:
        if is_due(contact, last, config):
            due.append(contact)
        else:
            touched = last_touch(contact)
            skipped.append(
                Skip(
                    source,
                    contact.line,
                    "not due",
                    f"last touched {touched}; next check-in due after {name}",
                    "last_contact",
                    contact.account_id,
                    contact.contact_name,
                    contact.owner,
                    status=contact.status,
                    account_value=contact.account_value,
                )
            )
    assigned, dropped = triage(due, config, source)
    assigned, standings = stand(assigned, history, source, dropped)
    skipped += dropped
    assigned = _without_waiting(assigned, standings, config, last, source, skipped)
    scheduler = Scheduler(config, now, standings)
    business = BusinessDays(config.schedule)
    estimates = {
        a.contact.key: _calls_in_window(a, first, last, config, business) for a in assigned
    }
    demand: Counter[str] = Counter()
    for assignment in assigned:
        demand[assignment.owner] += estimates[assignment.contact.key]
    days = {rep: working_days(rep, first, last, config, business) for rep in demand}
    quotas = {rep: _quota(demand[rep], days[rep], config.schedule.calls_per_day) for rep in demand}
    calls, overflow = scheduler.schedule(assigned, first, Window(first, last, quotas))
    shortfalls = _shortfalls(overflow, estimates, calls, days, config)
    missing = {s.rep: s for s in shortfalls}
    for assignment in overflow:
        contact, short = assignment.contact, missing[assignment.owner]
        skipped.append(
            Skip(
                source,
                contact.line,
                "over capacity",
                f"no room in {assignment.owner}'s calls in {name}: {short.calls} calls "
                f"missing at {config.schedule.calls_per_day} a day",
                None,
                contact.account_id,
                contact.contact_name,
                assignment.owner,
                status=contact.status,
                account_value=contact.account_value,
            )
        )
    plan = Plan.ordered(first, calls, skipped)
    if history is None:
        return CampaignPlan(plan, name, shortfalls)
    by_line = {c.line: standings[c.key] for c in due if c.key in standings}
    return CampaignPlan(plan, name, shortfalls, by_line)


def _without_waiting(
    assigned: list[Assignment],
    standings: Mapping[tuple[str, str], Standing],
    config: Config,
    last: date,
    source: str,
    skipped: list[Skip],
) -> list[Assignment]:
    """The assignments but those whose follow-up waits for promises due after the window:
    they are not due yet (rule 7), and `skipped` says until when."""
    going = []
    for assignment in assigned:
        contact = assignment.contact
        if not contact.promises:  # only a follow-up waits, for the promises (history.stand)
            going.append(assignment)
            continue
        standing = standings.get(contact.key)
        steps = remaining_steps(assignment, standing, config.plays)
        waits = steps[0].not_before if steps else None
        if waits is None or waits <= last:
            going.append(assignment)
            continue
        reason = (
            f"the follow-up waits for promises due by {waits - timedelta(days=1)}, after {last}"
        )
        skipped.append(
            Skip(
                source,
                contact.line,
                "not due",
                reason,
                None,
                contact.account_id,
                contact.contact_name,
                assignment.owner,
            )
        )
    return going


def _calls_in_window(
    assignment: Assignment, first: date, last: date, config: Config, business: BusinessDays
) -> int:
    """How many of the contact's next calls fall in the window, room permitting."""
    contact = assignment.contact
    day = business.next_on_or_after(earliest_first_call(contact, first, config.plays))
    count = 0
    for step in sequence(contact, config.plays, assignment.reach):
        if count:
            day = after(day, step.after, business)
        if day > last:
            break
        count += 1
    return count


def _quota(calls: int, days: list[date], cap: int) -> dict[date, int]:
    """`calls` spread over `days` so that no two days differ by more than one. The calls left
    over after an equal share go to days spaced evenly through the window (not to its first
    days), the first of them on the first day: booked in priority order, the most valuable
    accounts still come first."""
    if not days:
        return {}
    total = min(calls, cap * len(days))
    base, extra = divmod(total, len(days))
    n = len(days)
    # Day i takes one more when the running share of the remainder crosses a whole number.
    return {
        day: base + ((i * extra + n - 1) // n < ((i + 1) * extra + n - 1) // n)
        for i, day in enumerate(days)
    }


def _shortfalls(
    overflow: list[Assignment],
    estimates: dict[tuple[str, str], int],
    calls: list[Call],
    days: dict[str, list[date]],
    config: Config,
) -> tuple[Shortfall, ...]:
    if not overflow:
        return ()
    cap = config.schedule.calls_per_day
    booked: Counter[str] = Counter(call.owner for call in calls)
    room = {rep: cap * len(rep_days) - booked[rep] for rep, rep_days in days.items()}
    by_rep: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in overflow:
        by_rep[assignment.owner].append(assignment)
    result = []
    for rep, stranded in sorted(by_rep.items()):
        missing = sum(max(1, estimates[a.contact.key]) for a in stranded)
        per_day = math.ceil(missing / max(1, len(days[rep])))
        others = tuple(
            sorted(other for other, spare in room.items() if other != rep and spare >= missing)
        )
        result.append(Shortfall(rep, len(stranded), missing, per_day, others))
    return tuple(result)
