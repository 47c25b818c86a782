"""The plan: which call each contact gets, from which rep, and when."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from outreach.model.plays import Play
from outreach.model.records import Contact, Skip
from outreach.model.zones import zone_info

Flag = Literal[
    "handover",
    "introduce",
    "outside_rep_hours",
    "only_if_small_steps_went_well",
    "late",
    "overdue",
    "retry",
    "callback",
    "won_back",
    "no_sales_steps",
]
"""`introduce`: the first call a handed-over contact gets from the new rep, whatever its play,
who introduces themselves on it (rule 13). `late`: an apology later than one business day
after the first day it could have been. From the outcomes of earlier calls: `overdue`, planned in the past and not logged; `retry`,
the same call again after a voicemail or no answer; `callback`, at the time the contact asked
for; `won_back`, a "how are we doing" check-in with an account that is buying again.
`no_sales_steps`: an upset account gets the apology and follow-up only (rule 14)."""


def call_id(account_id: str, contact_name: str, play: str, step: int) -> str:
    """Stable across runs and reschedules: it names the call, not its time."""
    key = "\x1f".join((account_id, contact_name.casefold(), play, str(step)))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    contact: Contact
    owner: str
    """The rep who makes the call: the account's owner, or the rep it was handed over to."""
    play: Play
    step: int
    """1-based count of this play for this contact (the third keep-in-touch call is step 3)."""
    at: int
    """When the call starts, in seconds since the epoch (UTC): cheap to hold and to sort."""
    minutes: int
    flags: tuple[Flag, ...] = ()
    handover_from: str | None = None
    """The previous owner, when the account was handed over (rule 13)."""
    note: str | None = None
    """Why the contact's calls stop where they do, when they stop early (rule 14)."""

    @property
    def timezone(self) -> str:
        return self.contact.timezone

    @property
    def start(self) -> datetime:
        """Aware, in the contact's zone."""
        return datetime.fromtimestamp(self.at, zone_info(self.contact.timezone))

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.at + 60 * self.minutes, zone_info(self.contact.timezone))

    @property
    def handover(self) -> bool:
        return self.handover_from is not None


@dataclass(frozen=True, slots=True)
class LateApology:
    """An apology the rep's diary could not fit within one business day (rule 2): reported by
    contact, small enough to travel back from a worker process."""

    owner: str
    contact_name: str
    company: str
    account_id: str
    line: int
    start: datetime
    """When the apology is planned, in the contact's zone."""

    @classmethod
    def of(cls, call: Call) -> LateApology:
        contact = call.contact
        return cls(
            call.owner,
            contact.contact_name,
            contact.company,
            contact.account_id,
            contact.line,
            call.start,
        )


def late_apologies(calls: Iterable[Call]) -> list[LateApology]:
    """The apologies planned later than one business day after they could have been, by time."""
    late = [LateApology.of(call) for call in calls if "late" in call.flags]
    return sorted(late, key=late_order)


def late_order(late: LateApology) -> tuple[object, ...]:
    return (late.start.timestamp(), late.owner, late.account_id, late.contact_name.casefold())


@dataclass(frozen=True, slots=True)
class Plan:
    start: date
    calls: tuple[Call, ...]
    """Sorted by owner, start and id: the order every output lists them in."""
    skipped: tuple[Skip, ...]
    """Rejected, suppressed and dropped rows, by line."""

    @classmethod
    def ordered(cls, start: date, calls: Iterable[Call], skipped: Iterable[Skip]) -> Plan:
        """A plan with its calls and skipped rows in the order every output lists them."""
        return cls(
            start=start,
            calls=tuple(sorted(calls, key=lambda c: (c.owner, c.at, c.id))),
            skipped=tuple(sorted(skipped, key=lambda s: s.line)),
        )

    def by_rep(self) -> PlannedCalls:
        return PlannedCalls(self)


class RepCalls(Protocol):
    """A plan's calls one rep at a time: what writing the outputs needs of a plan."""

    @property
    def reps(self) -> list[str]:
        """Every rep with calls, in plan order."""

    def calls_of(self, rep: str) -> list[Call]:
        """The rep's calls in plan order (start, then id)."""

    def weights(self) -> Counter[str]:
        """How much work each rep is (their contacts), to share the reps out between processes."""

    def planned_ids(self) -> set[str]:
        """The id of every call of the plan."""


class PlannedCalls:
    """The calls of a plan made whole (a campaign's), rep by rep."""

    def __init__(self, plan: Plan) -> None:
        self._of = {
            rep: list(calls) for rep, calls in itertools.groupby(plan.calls, lambda c: c.owner)
        }

    @property
    def reps(self) -> list[str]:
        return list(self._of)

    def calls_of(self, rep: str) -> list[Call]:
        return self._of.get(rep, [])

    def weights(self) -> Counter[str]:
        return Counter(
            {rep: len({call.contact.key for call in calls}) for rep, calls in self._of.items()}
        )

    def planned_ids(self) -> set[str]:
        return {call.id for calls in self._of.values() for call in calls}
