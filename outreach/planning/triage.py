"""Who calls, and whether to call at all (rules 13 and 14 of the playbook)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from outreach.model.money import Money
from outreach.model.phone import Phone, read_phone
from outreach.model.records import ACTIVE_STATUSES, Contact, Skip, SkipKind
from outreach.model.settings import Config
from outreach.planning.playbook import sequence


@dataclass(frozen=True, slots=True)
class Assignment:
    """A contact who gets calls, and the rep who makes them."""

    contact: Contact
    owner: str
    handover_from: str | None
    account_value: Money | None
    """The account's value (its largest row), which orders the work."""


def triage(
    contacts: Iterable[Contact], config: Config, source: str
) -> tuple[list[Assignment], list[Skip]]:
    accounts: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        accounts[contact.account_id].append(contact)
    blocked_phones = {
        read_phone(entry, config.default_region).line
        for entry in config.drop.do_not_call
        if "@" not in entry
    }
    blocked_emails = {entry.casefold() for entry in config.drop.do_not_call if "@" in entry}

    assigned: list[Assignment] = []
    skipped: list[Skip] = []
    for rows in accounts.values():
        value = max(
            (c.account_value for c in rows if c.account_value is not None),
            key=lambda money: money.amount,
            default=None,
        )
        account_reason = _account_drop_reason(rows, value, config)
        handoff = next((c.handoff_to for c in rows if c.handoff_to), None)
        for contact in rows:
            reason = account_reason or _contact_drop_reason(contact, blocked_phones, blocked_emails)
            if contact.status not in ACTIVE_STATUSES:
                reason = ("suppressed", "status", f"status {contact.status}: no outreach")
            elif contact.stage and not sequence(contact, config.plays):  # a stage may end it
                reason = (
                    "suppressed",
                    "stage",
                    f"stage {contact.stage}: every call of the playbook was made",
                )
            if reason:
                kind, field, why = reason
                skipped.append(
                    Skip(
                        source,
                        contact.line,
                        kind,
                        why,
                        field,
                        contact.account_id,
                        contact.contact_name,
                        contact.owner,
                        status=contact.status,
                        account_value=contact.account_value,
                    )
                )
            elif handoff and handoff != contact.owner:
                assigned.append(Assignment(contact, handoff, contact.owner, value))
            else:
                assigned.append(Assignment(contact, contact.owner, None, value))
    return assigned, skipped


_Reason = tuple[SkipKind, str, str]


_Line = tuple[str, str | None]


def _blocked(number: Phone, lines: set[_Line]) -> bool:
    """A number on the list blocks each of its extensions; one with an extension, only that."""
    return (number.e164, None) in lines or number.line in lines


def _contact_drop_reason(contact: Contact, phones: set[_Line], emails: set[str]) -> _Reason | None:
    if contact.phone is None:
        return "dropped", "phone", "no phone number to call"
    if phones and contact.dial and _blocked(contact.dial, phones):
        return "dropped", "phone", "phone number is on the do-not-call list"
    if emails and contact.email and contact.email.casefold() in emails:
        return "dropped", "email", "e-mail address is on the do-not-call list"
    return None


def _account_drop_reason(
    rows: list[Contact], value: Money | None, config: Config
) -> _Reason | None:
    """Rule 14: stop when the account is not worth it, or attempts went nowhere. The amount
    is compared in its own currency: no exchange rates."""
    minimum = config.drop.min_account_value
    if value is not None and value.amount < minimum:
        return (
            "dropped",
            "account_value",
            f"account_value {value.amount:f} {value.currency} < min_account_value {minimum:f}",
        )
    attempts = max(c.attempts for c in rows)
    if attempts >= config.drop.max_attempts:
        return (
            "dropped",
            "attempts",
            f"attempts {attempts} >= max_attempts {config.drop.max_attempts}",
        )
    return None
