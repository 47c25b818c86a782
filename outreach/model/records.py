"""Typed, immutable records: what one CSV row means once it has been validated."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from outreach.model.money import Money
from outreach.model.outcomes import Promise
from outreach.model.phone import Phone
from outreach.model.text import terminal_text

Status = Literal["upset", "lapsed", "resolved", "won_back", "do_not_call"]
Fault = Literal["company", "personal"]
SkipKind = Literal[
    "rejected",
    "suppressed",
    "dropped",
    "not due",
    "over capacity",
    "review",  # rule 14: every check-in made and nothing found; the manager decides
    # stopped by a call's outcome (model.outcomes)
    "unreachable",
    "refused",
    "wrong number",
    "left company",
]

STOPPED: tuple[SkipKind, ...] = ("unreachable", "refused", "wrong number", "left company")
"""The kinds of skip an outcome of a call makes: the contact's calls stop."""
STATUSES: tuple[str, ...] = get_args(Status)
DECISION_MAKER = "decision_maker"
ACTIVE_STATUSES = frozenset({"upset", "lapsed"})
FAULTS: tuple[str, ...] = get_args(Fault)


def fold(text: str) -> str:
    """Text compared without regard to case: case folded, then NFC again (folding can undo it:
    `ǰ` folds to `j` and a combining caron), so the same name in any form is one name."""
    folded = text.casefold()
    return folded if folded.isascii() else unicodedata.normalize("NFC", folded)


@dataclass(frozen=True, slots=True)
class Contact:
    """One person at one account, as one CSV row describes them. Empty cells are None."""

    line: int
    account_id: str
    company: str
    contact_name: str
    status: Status
    owner: str
    timezone: str
    contact_title: str | None = None
    email: str | None = None
    phone: str | None = None
    """As typed: it goes back to the CRM unchanged."""
    dial: Phone | None = None
    """The phone read in the contact's region: what scripts, calendars and the plan show."""
    country: str | None = None
    """ISO 3166 code from the row's country column, if it has one."""
    fault: Fault | None = None
    reason: str | None = None
    incident: str | None = None
    incident_date: date | None = None
    root_cause: str | None = None
    changes_made: str | None = None
    options: tuple[str, ...] = ()
    low_risk_offer: str | None = None
    account_value: Money | None = None
    last_contact: date | None = None
    attempts: int = 0
    notes: str | None = None
    handoff_to: str | None = None
    role: str | None = None
    """`decision_maker` (rule 19: the sales steps go to them), or the role as the CRM wrote it."""
    escalated: str | None = None
    """Not empty: the customer escalated, and the manager joins the apology (rule 16)."""
    check_ins: int = 0
    """Keep-in-touch calls made over earlier campaigns with nothing found (rule 14)."""
    stage: str | None = None
    stage_date: date | None = None
    """When the call of the stage was planned: later calls keep their spacing from it."""
    promises: tuple[Promise, ...] = ()
    """Promised on an earlier call and not confirmed yet: the follow-up checks them (rule 7)."""
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def key(self) -> tuple[str, str]:
        """Identifies the contact within the whole file: account and name, case folded."""
        return (self.account_id, fold(self.contact_name))

    @property
    def decision_maker(self) -> bool:
        return self.role == DECISION_MAKER

    @property
    def extras(self) -> dict[str, str]:
        """Columns the tool does not know, by their header as written, for templates."""
        return dict(self.extra)


@dataclass(frozen=True, slots=True)
class Skip:
    """A row that gets no calls, and why. Every input row is either planned or one of these."""

    file: str
    line: int
    kind: SkipKind
    reason: str
    field: str | None = None
    account_id: str | None = None
    contact_name: str | None = None
    owner: str | None = None
    status: Status | None = None
    account_value: Money | None = None
    """The row's status and value, where they could be read: the report lists upset rows
    first, and what each is worth."""

    def message(self) -> str:
        """`file:line: field: reason`, for a terminal (a field is a header from the file)."""
        where = f"{self.file}:{self.line}"
        if self.field:
            where += f": {self.field}"
        return terminal_text(f"{where}: {self.reason}")
