"""Where a contact's sequence stands once calls were made: the outcomes logged for their calls
(model.outcomes) turned into the calls still to make and from when, or into the reason their
calls stop. A contact with nothing logged and nothing overdue has no standing: the playbook's
sequence is planned ahead as it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from outreach.model.outcomes import MISSED, CallOutcome, Outcome
from outreach.model.plan import Flag, call_id
from outreach.model.plays import Play, stage_of
from outreach.model.records import Contact, Skip, SkipKind
from outreach.model.settings import PlaySettings
from outreach.planning.playbook import (
    Delay,
    Step,
    after,
    check_ins,
    earliest_first_call,
    first_call_day,
    first_check_in,
    sequence,
    trust_ladder,
)
from outreach.planning.triage import Assignment

STOPS: dict[Outcome, tuple[SkipKind, str]] = {
    "refused": ("refused", "asked not to be called again"),
    "wrong_number": ("wrong number", "the number is not theirs: find the right number"),
    "left_company": ("left company", "no longer works there: find the successor"),
}


@dataclass(frozen=True, slots=True)
class Standing:
    """A contact's sequence after the outcomes logged for it."""

    steps: tuple[Step, ...]
    """The calls still to make, first to last."""
    since: date | None = None
    """The contact's day of the last call made or missed: the first step's spacing counts
    from it."""
    callback: datetime | None = None
    """The first call goes exactly here: the time the contact asked to be called at."""
    avoid_hour: int | None = None
    """The hour of the contact's day of a missed try: the retry goes at another."""
    overdue: bool = False
    stop: tuple[SkipKind, str] | None = None
    """Why the contact gets no further call, if they get none."""
    attempts: int = 0
    """Tries that reached nobody, over all the contact's calls."""
    stage: str | None = None
    """The last call made, as a stage (`small_step 2`), and the contact's day it was made
    (none logged: the stage before the first call logged, for the next campaign)."""
    stage_day: date | None = None
    last: CallOutcome | None = None
    """The latest outcome logged for the contact's calls."""
    spoken: bool = False
    """A call logged reached the contact: a new rep has introduced themselves already."""


@dataclass(slots=True)
class _Trail:
    """What a walk through a contact's calls has found so far."""

    attempts: int = 0
    stage: str | None = None
    stage_day: date | None = None
    last: CallOutcome | None = None
    spoken: bool = False

    def standing(self, steps: Iterable[Step], **found: Any) -> Standing:
        return Standing(
            tuple(steps),
            attempts=self.attempts,
            stage=self.stage,
            stage_day=self.stage_day,
            last=self.last,
            spoken=self.spoken,
            **found,
        )


class History:
    """The outcomes of a plan's calls, by call, and the calls an earlier plan put before the
    run's clock `now` (`previous_starts`, by id): what makes a contact's standing."""

    def __init__(
        self,
        outcomes: Iterable[CallOutcome],
        previous_starts: Mapping[str, datetime],
        plays: PlaySettings,
        now: datetime,
    ) -> None:
        self.logged: dict[str, list[CallOutcome]] = defaultdict(list)
        for outcome in outcomes:
            self.logged[outcome.call_id].append(outcome)
        for lines in self.logged.values():
            lines.sort(key=lambda o: (o.at, o.outcome, o.note))
        self.past = {cid for cid, start in previous_starts.items() if start < now}
        self.plays, self.now = plays, now

    def standing(self, contact: Contact) -> Standing | None:
        """Where the contact's sequence stands; None when nothing was logged nor is overdue."""
        plays = self.plays
        steps, trail = self._walk_from(contact)
        check_in = first_check_in(contact)
        index = 0
        while index < len(steps):
            step = steps[index]
            cid = call_id(contact.account_id, contact.contact_name, step.play, step.step)
            lines = self.logged.get(cid)
            if not lines:
                if cid in self.past:
                    return trail.standing(
                        (_flagged(step, "overdue"), *steps[index + 1 :]), overdue=True
                    )
                break
            last = trail.last = lines[-1]
            missed = [line for line in lines if line.outcome in MISSED]
            trail.attempts += len(missed)
            if last.outcome in STOPS:
                kind, why = STOPS[last.outcome]
                return trail.standing(
                    (), stop=(kind, f"{why} (logged {last.at.isoformat()}, {step.play} call)")
                )
            if last.outcome in MISSED:
                if len(missed) >= plays.max_tries:
                    tries = "; ".join(f"{m.outcome} {m.at.isoformat()}" for m in missed)
                    stop = (
                        "unreachable",
                        f"{step.play} call not reached in {len(missed)} tries: {tries}",
                    )
                    return trail.standing((), stop=stop)
                wait = 1 if step.play == "apology" else plays.retry_days
                retry = replace(_flagged(step, "retry"), after=Delay(wait, "business_days"))
                return trail.standing(
                    (retry, *steps[index + 1 :]), since=last.at.date(), avoid_hour=last.at.hour
                )
            if last.outcome == "callback":
                if last.callback and last.callback > self.now:
                    rest = (_flagged(step, "callback"), *steps[index + 1 :])
                    return trail.standing(rest, callback=last.callback)
                rest = (_flagged(step, "overdue"), *steps[index + 1 :])  # the asked time passed
                return trail.standing(rest, overdue=True)
            trail.stage, trail.stage_day = stage_of(step.play, step.step), last.at.date()
            trail.spoken = True
            if step.play == "keep_in_touch":
                check_in = step.step + 1
            steps[index + 1 :] = _branch(step, last.outcome, steps[index + 1 :], plays, check_in)
            index += 1
        if trail.last is None:
            return None
        return trail.standing(steps[index:], since=trail.stage_day)

    def _walk_from(self, contact: Contact) -> tuple[list[Step], _Trail]:
        """The contact's sequence after their stage; but when calls up to the stage were logged
        (the stage a campaign planned, before they were made), from the first call logged.
        And the trail so far: the stage it starts after."""
        staged = sequence(contact, self.plays)
        if not contact.stage:
            return staged, _Trail()
        unstaged = sequence(replace(contact, stage=None, stage_date=None), self.plays)
        for index, step in enumerate(unstaged):
            if (
                call_id(contact.account_id, contact.contact_name, step.play, step.step)
                in self.logged
            ):
                before = (
                    stage_of(unstaged[index - 1].play, unstaged[index - 1].step) if index else None
                )
                return unstaged[index:], _Trail(stage=before)
        return staged, _Trail(stage=contact.stage, stage_day=contact.stage_date)


def first_day(
    contact: Contact,
    standing: Standing,
    start: date,
    plays: PlaySettings,
    is_business_day: Callable[[date], bool],
) -> date:
    """The earliest day of the contact's first remaining call: the start, after the cool-down,
    and the step's spacing after the last call made or missed (an overdue call: at once)."""
    if standing.overdue:
        return earliest_first_call(contact, start, plays)
    step = standing.steps[0]
    if standing.since is None:
        return first_call_day(contact, step, start, plays, is_business_day)
    since = after(standing.since, step.after, is_business_day)
    return max(earliest_first_call(contact, start, plays), since)


def _branch(
    step: Step, outcome: Outcome, rest: list[Step], plays: PlaySettings, check_in: int
) -> list[Step]:
    """The calls after `step`, made with `outcome` (issue 16's branches of the playbook)."""
    if outcome == "won_back" or (step.play == "substantial_offer" and outcome == "agreed"):
        # the "how are we doing" check-ins, silent about the incident (rule 8)
        return check_ins(plays, check_in, ("won_back",))
    if "won_back" in step.flags:
        return rest
    if step.play in ("clear_the_air", "keep_in_touch") and outcome == "agreed":
        return [*trust_ladder(plays), *check_ins(plays, check_in)]
    if step.play == "apology" and outcome == "declined":  # rule 18: the lapsed track
        clear = Step("clear_the_air", 1, Delay(plays.lapsed_cooldown_days, "days"))
        return [clear, *check_ins(plays, check_in)]
    if step.play == "follow_up" and outcome == "declined":  # a fix not delivered: again
        again = Step("follow_up", step.step + 1, Delay(plays.follow_up_days, "business_days"))
        return [again, *rest]
    if step.play == "small_step" and outcome == "declined":
        if step.step > len(plays.small_step_days):  # the one more small step: enough
            return check_ins(plays, check_in)
        more = Step("small_step", step.step + 1, Delay(plays.small_step_days[-1], "days"))
        return [more, *check_ins(plays, check_in)]
    if step.play == "substantial_offer" and outcome == "declined":
        return check_ins(plays, check_in)
    if step.play == "small_step" and outcome == "agreed" and rest:
        offer = rest[0]
        if offer.play == "substantial_offer":  # the last small step went well
            return [replace(offer, only_if_small_steps_went_well=False), *rest[1:]]
    return rest


def _flagged(step: Step, flag: Flag) -> Step:
    return replace(step, flags=(*step.flags, flag))


def possible_calls(contact: Contact, plays: PlaySettings) -> Iterator[tuple[Play, int]]:
    """The calls a contact's sequence may come to hold in one run, whatever the outcomes: the
    calls a file of outcomes may name (a later one is in the plan of the run that planned it)."""
    if contact.status not in ("upset", "lapsed"):
        return
    if contact.status == "upset":
        yield "apology", 1
        yield from (("follow_up", n) for n in range(1, plays.max_tries + 2))
    yield "clear_the_air", 1
    yield from (("small_step", n) for n in range(1, len(plays.small_step_days) + 2))
    yield "substantial_offer", 1
    check_in = first_check_in(contact)
    yield from (("keep_in_touch", n) for n in range(check_in, check_in + plays.keep_in_touch_count))


def stand(
    assigned: list[Assignment], history: History | None, source: str, skipped: list[Skip]
) -> tuple[list[Assignment], dict[tuple[str, str], Standing]]:
    """The assignments whose calls go on, and the standing of every contact that has one;
    those the outcomes stopped are added to `skipped`."""
    if history is None:
        return assigned, {}
    going: list[Assignment] = []
    standings: dict[tuple[str, str], Standing] = {}
    for assignment in assigned:
        contact = assignment.contact
        standing = history.standing(contact)
        if standing is not None:
            standings[contact.key] = standing
        if standing is not None and standing.stop is not None:
            kind, reason = standing.stop
            skipped.append(
                Skip(
                    source,
                    contact.line,
                    kind,
                    reason,
                    None,
                    contact.account_id,
                    contact.contact_name,
                    assignment.owner,
                )
            )
        else:
            going.append(assignment)
    return going, standings
