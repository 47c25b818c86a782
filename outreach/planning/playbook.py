"""The recovery playbook as data: which plays a contact needs, in order, and how far apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from dateutil.relativedelta import relativedelta

from outreach.model.outcomes import Promise
from outreach.model.plan import Flag
from outreach.model.plays import ORDER, Play, parse_stage
from outreach.model.records import Contact
from outreach.model.settings import PlaySettings

DelayUnit = Literal["business_days", "days", "months"]
Reach = Literal["all", "keep_in_touch", "apology"]
"""How far a contact's calls go: the whole playbook; everything but the sales steps, for the
others of an account whose decision maker is marked (rule 19); or, for an upset account not
worth the sales steps, the apology and its follow-up only (rule 14)."""
SALES_PLAYS: frozenset[Play] = frozenset({"clear_the_air", "small_step", "substantial_offer"})
"""The calls that ask for business again (rule 19: the decision maker's)."""


@dataclass(frozen=True, slots=True)
class Delay:
    amount: int
    unit: DelayUnit


@dataclass(frozen=True, slots=True)
class Step:
    play: Play
    step: int
    after: Delay
    """How long after the previous call of the sequence (or after the start, for the first)."""
    only_if_small_steps_went_well: bool = False
    flags: tuple[Flag, ...] = ()
    """What the outcomes of earlier calls say of this one (planning.history)."""
    not_before: date | None = None
    """No sooner than this day, whatever the spacing: a follow-up waits for the promises it
    checks to be due."""


NOW = Delay(0, "days")


def sequence(contact: Contact, plays: PlaySettings, reach: Reach = "all") -> list[Step]:
    """The calls one contact still needs, first to last: after the stage they reached, if any,
    and as far as their `reach`."""
    done = parse_stage(contact.stage) if contact.stage else None
    if contact.status == "upset":
        # Rule 2: apologize at once; rule 7: confirm the fixes; rule 9: small steps, then more.
        steps = [
            Step("apology", 1, NOW),
            follow_up(1, plays, contact.promises),
            *trust_ladder(plays),
        ]
    elif contact.status == "lapsed":
        # Rule 12: clear the air first; rule 11: then a check-in every quarter, for as long as
        # the account is worth it (a later campaign numbers its check-ins on from the stage).
        steps = [Step("clear_the_air", 1, NOW), *check_ins(plays, first_check_in(contact))]
    else:
        return []
    if done and any(step.play == done[0] for step in steps):
        # Rule 8: what was done is never repeated. The first remaining call keeps its spacing
        # from the stage's call, when its date is known (see first_call_day).
        position = ORDER.index(done[0])
        steps = [s for s in steps if (ORDER.index(s.play), s.step) > (position, done[1])]
        if contact.promises and done[0] == "follow_up":  # a promise not kept yet: check again
            steps.insert(0, follow_up(done[1] + 1, plays, contact.promises))
    if contact.check_ins:  # rule 14: the check-ins that found nothing in earlier campaigns count
        more = max(0, plays.keep_in_touch_count - contact.check_ins)
        steps = [s for s in steps if s.play != "keep_in_touch"] + [
            s for s in steps if s.play == "keep_in_touch"
        ][:more]
    return within(steps, reach)


def within(steps: list[Step], reach: Reach) -> list[Step]:
    """The steps a contact of this reach gets."""
    if reach == "keep_in_touch":
        return [step for step in steps if step.play not in SALES_PLAYS]
    if reach == "apology":
        return [step for step in steps if step.play in ("apology", "follow_up")]
    return steps


def follow_up(number: int, plays: PlaySettings, promises: tuple[Promise, ...]) -> Step:
    """Rule 7: the follow-up that checks what was promised, `plays.follow_up_days` business
    days after the call before it, and not before the day after the last promise is due."""
    last_due = max((promise.due for promise in promises), default=None)
    return Step(
        "follow_up",
        number,
        Delay(plays.follow_up_days, "business_days"),
        not_before=last_due + timedelta(days=1) if last_due else None,
    )


def step_offer(offers: tuple[str, ...], step: int) -> str | None:
    """Rule 9, one small step after another: small step n proposes the n-th low-risk offer,
    the last one again when there are fewer offers than steps; None without any."""
    return offers[min(step, len(offers)) - 1] if offers else None


def trust_ladder(plays: PlaySettings) -> list[Step]:
    """Rule 9: small, low-risk steps at growing intervals, then the substantial offer (only if
    the small steps went well)."""
    steps = [
        Step("small_step", n, Delay(days, "days"))
        for n, days in enumerate(plays.small_step_days, 1)
    ]
    offer = Step("substantial_offer", 1, Delay(plays.substantial_offer_days, "days"), True)
    return [*steps, offer]


def check_ins(plays: PlaySettings, first: int, flags: tuple[Flag, ...] = ()) -> list[Step]:
    """Rule 11: a keep-in-touch call every quarter, numbered from `first`."""
    return [
        Step("keep_in_touch", n, Delay(plays.keep_in_touch_months, "months"), flags=flags)
        for n in range(first, first + plays.keep_in_touch_count)
    ]


def first_check_in(contact: Contact) -> int:
    """The number of the contact's next check-in: one after the stage's, if it was one."""
    done = parse_stage(contact.stage) if contact.stage else None
    return done[1] + 1 if done and done[0] == "keep_in_touch" else 1


def earliest_first_call(contact: Contact, start: date, plays: PlaySettings) -> date:
    """The start date, unless the contact was spoken to too recently (the cool-down)."""
    cooldown = (
        plays.upset_cooldown_days if contact.status == "upset" else plays.lapsed_cooldown_days
    )
    if contact.last_contact is None or cooldown == 0:
        return start
    return max(start, contact.last_contact + timedelta(days=cooldown))


@lru_cache(maxsize=8192)
def _month_after(day: date, months: int) -> date:
    """dateutil's month arithmetic (31 January + 1 month = 28 or 29 February), once per date."""
    result: date = day + relativedelta(months=months)
    return result


def first_call_day(
    contact: Contact,
    step: Step,
    start: date,
    plays: PlaySettings,
    is_business_day: Callable[[date], bool],
) -> date:
    """The earliest day of a contact's first call in this plan: the start, after the cool-down,
    and, for a contact that continues from a stage, the step's spacing after that stage's call."""
    day = earliest_first_call(contact, start, plays)
    if contact.stage and contact.stage_date is not None:
        day = max(day, after(contact.stage_date, step.after, is_business_day))
    return day


def after(day: date, delay: Delay, is_business_day: Callable[[date], bool]) -> date:
    """The earliest day `delay` after `day`."""
    if delay.unit == "days":
        return day + timedelta(days=delay.amount)
    if delay.unit == "months":
        return _month_after(day, delay.amount)
    remaining = delay.amount
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day
