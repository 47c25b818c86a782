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

from outreach.model.outcomes import MISSED, CallOutcome, Outcome, Promise
from outreach.model.plan import Flag, call_id
from outreach.model.plays import Play, stage_of
from outreach.model.records import Contact, Skip, SkipKind
from outreach.model.settings import PlaySettings
from outreach.planning.playbook import (
    Delay,
    Reach,
    Step,
    after,
    check_ins,
    earliest_first_call,
    first_call_day,
    first_check_in,
    follow_up,
    sequence,
    trust_ladder,
    within,
)
from outreach.planning.triage import Assignment, review_reason

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
    check_ins: int = 0
    """Keep-in-touch calls in a row that found nothing, those of earlier campaigns included."""
    found_nothing: int = 0
    """Of them, those logged in this run: fruitless cycles, which count as attempts."""
    promises: tuple[Promise, ...] = ()
    """Promised and not yet confirmed by a follow-up (rule 7)."""
    spoken: bool = False
    """A call logged reached the contact: a new rep has introduced themselves already."""


@dataclass(slots=True)
class _Trail:
    """What a walk through a contact's calls has found so far."""

    attempts: int = 0
    stage: str | None = None
    stage_day: date | None = None
    last: CallOutcome | None = None
    check_ins: int = 0
    found_nothing: int = 0
    promises: tuple[Promise, ...] = ()
    spoken: bool = False

    def standing(self, steps: Iterable[Step], **found: Any) -> Standing:
        return Standing(
            tuple(steps),
            attempts=self.attempts,
            stage=self.stage,
            stage_day=self.stage_day,
            last=self.last,
            check_ins=self.check_ins,
            found_nothing=self.found_nothing,
            promises=self.promises,
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

    def standing(self, contact: Contact, reach: Reach = "all") -> Standing | None:
        """Where the contact's sequence stands; None when nothing was logged nor is overdue."""
        plays = self.plays
        steps, trail = self._walk_from(contact, reach)
        trail.check_ins = contact.check_ins
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
                if last.outcome in ("agreed", "won_back") or "won_back" in step.flags:
                    trail.check_ins = 0
                else:
                    trail.check_ins += 1
                    trail.found_nothing += 1
            if step.play in ("apology", "follow_up"):
                # A follow-up declined found a promise not kept: checked again, unless new ones
                # were made; any other outcome of a follow-up confirmed them all.
                kept = (step.play, last.outcome) != ("follow_up", "declined")
                trail.promises = last.promises or (() if kept else trail.promises)
            branch = _branch(
                step, last.outcome, steps[index + 1 :], plays, check_in, trail.promises
            )
            steps[index + 1 :] = within(branch, reach)
            index += 1
        if trail.last is None:
            return None
        remaining = steps[index:]
        if trail.check_ins >= plays.keep_in_touch_count and all(
            s.play == "keep_in_touch" and "won_back" not in s.flags for s in remaining
        ):  # rule 14: no check-ins forever; the manager decides
            return trail.standing((), stop=("review", review_reason(trail.check_ins)))
        if not remaining:  # in no plan, yet never silently lost
            return trail.standing((), stop=("suppressed", "every call of the playbook was made"))
        return trail.standing(remaining, since=trail.stage_day)

    def _walk_from(self, contact: Contact, reach: Reach) -> tuple[list[Step], _Trail]:
        """The contact's sequence after their stage; but when calls up to the stage were logged
        (the stage a campaign planned, before they were made), from the first call logged.
        And the trail so far: the stage it starts after."""
        staged = sequence(contact, self.plays, reach)
        if not contact.stage:
            return staged, _Trail(promises=contact.promises)
        unstaged = sequence(replace(contact, stage=None, stage_date=None), self.plays, reach)
        for index, step in enumerate(unstaged):
            if (
                call_id(contact.account_id, contact.contact_name, step.play, step.step)
                in self.logged
            ):
                before = (
                    stage_of(unstaged[index - 1].play, unstaged[index - 1].step) if index else None
                )
                return unstaged[index:], _Trail(stage=before, promises=contact.promises)
        return staged, _Trail(
            stage=contact.stage, stage_day=contact.stage_date, promises=contact.promises
        )


def remaining_steps(
    assignment: Assignment, standing: Standing | None, plays: PlaySettings
) -> list[Step]:
    """The contact's calls still to make: from where they stand, else the playbook's sequence."""
    if standing:
        return list(standing.steps)
    return sequence(assignment.contact, plays, assignment.reach)


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
    step: Step,
    outcome: Outcome,
    rest: list[Step],
    plays: PlaySettings,
    check_in: int,
    promises: tuple[Promise, ...],
) -> list[Step]:
    """The calls after `step`, made with `outcome` (issue 16's branches of the playbook), with
    `promises` open."""
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
        return [follow_up(step.step + 1, plays, promises), *rest]
    if step.play == "apology" and rest and rest[0].play == "follow_up":  # when they are due
        return [follow_up(rest[0].step, plays, promises), *rest[1:]]
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
        standing = history.standing(contact, assignment.reach)
        if standing is not None:
            standings[contact.key] = standing
            if standing.promises != contact.promises:  # what the follow-up's script lists
                assignment = replace(
                    assignment, contact=replace(contact, promises=standing.promises)
                )
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
                    status=contact.status,
                    account_value=contact.account_value,
                )
            )
        else:
            going.append(assignment)
    return going, standings
