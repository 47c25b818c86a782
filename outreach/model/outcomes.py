"""What happened on a call: the outcomes a rep logs, the CRM labels that mean them, and one
logged outcome as `outreach log` records it in outcomes.csv."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, cast, get_args

from outreach.model.text import shown

Outcome = Literal[
    "reached",  # spoke; the call did its job
    "agreed",  # spoke and said yes to what the call proposed
    "declined",  # spoke and said no
    "voicemail",
    "no_answer",
    "callback",  # asked to be called at another time: the outcome's `callback`
    "refused",  # do not call again
    "wrong_number",
    "left_company",
    "won_back",  # buying again
]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
MISSED: frozenset[Outcome] = frozenset({"voicemail", "no_answer"})
"""Outcomes of a call that reached nobody: it is tried again. Every other outcome but a
callback means the call was made."""

COMMON_LABELS: dict[str, Outcome] = {
    "Connected": "reached",
    "Left Voicemail": "voicemail",
    "Left Live Message": "voicemail",  # with someone else: the contact was not reached
    "No Answer": "no_answer",
    "Busy": "no_answer",
    "Not Interested": "declined",
    "Callback Requested": "callback",
    "Wrong Number": "wrong_number",
    "Do Not Call": "refused",
}
"""Call results as CRMs (HubSpot, Salesforce, Outreach, Salesloft) name them; the settings'
[outcomes] table maps others."""

_NOT_LETTERS = re.compile(r"[\W_]+")


def label_key(label: str) -> str:
    """A label compared without regard to case, spaces and punctuation: `Left Voicemail`,
    `left-voicemail` and `LEFT_VOICEMAIL` are one label."""
    return _NOT_LETTERS.sub("", label).casefold()


def outcome_labels(settings: Mapping[str, str]) -> dict[str, Outcome]:
    """Every label an outcome may be written as, by label_key: the outcomes' own names, the
    common labels and the settings' [outcomes] table (label → outcome), which wins."""
    labels: dict[str, Outcome] = {label_key(outcome): outcome for outcome in OUTCOMES}
    labels.update((label_key(label), outcome) for label, outcome in COMMON_LABELS.items())
    # the settings' outcomes were checked when they were read
    labels.update((label_key(label), cast(Outcome, outcome)) for label, outcome in settings.items())
    return labels


def read_outcome(text: str, labels: Mapping[str, Outcome]) -> Outcome:
    """The outcome a label (see outcome_labels) means; ValueError for a label none does."""
    outcome = labels.get(label_key(text))
    if outcome is None:
        raise ValueError(
            f"unknown outcome {shown(text)!r}; expected one of {', '.join(OUTCOMES)}, a common "
            "CRM label such as 'Left Voicemail', or a label mapped in the settings' [outcomes]"
        )
    return outcome


@dataclass(frozen=True, slots=True)
class Promise:
    """What a rep promised on a call, and by when (rule 7): the follow-up checks it after then."""

    text: str
    due: date


PROMISING: dict[str, frozenset[Outcome]] = {
    "apology": frozenset({"reached", "agreed"}),
    "follow_up": frozenset({"declined"}),  # a promise not kept: a new date, or a new promise
}
"""The calls a promise may be logged with, by play: those the follow-up then checks."""


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What happened on one call of a plan, as a rep logged it."""

    call_id: str
    """The call's `id` in plan.csv."""
    outcome: Outcome
    at: datetime
    """When the call was made: aware, no later than the clock of the run that logged it."""
    note: str = ""
    callback: datetime | None = None
    """The time the contact asked to be called at: aware, only for the outcome `callback`."""
    account_id: str = ""
    contact_name: str = ""
    play: str = ""
    """The call's account, contact and play, from the plan: for people reading outcomes.csv."""
    promises: tuple[Promise, ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two logged lines one: the same call, outcome, instant, note, callback and
        promises."""
        return (self.call_id, self.outcome, self.at, self.note, self.callback, self.promises)

    def against_clock(self, now: datetime) -> tuple[str, str] | None:
        """(field, reason) if the outcome cannot be logged at `now`: made after it, or a
        callback asked for before it."""
        if self.at > now:
            return "at", f"{self.at.isoformat()} is after the run's clock ({now.isoformat()})"
        if self.callback is not None and self.callback < now:
            return (
                "callback",
                f"{self.callback.isoformat()} is in the past (the run's clock: {now.isoformat()})",
            )
        return None
