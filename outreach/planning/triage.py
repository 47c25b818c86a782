"""Who calls, and whether to call at all (rules 13 and 14 of the playbook)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from outreach.model.money import Money
from outreach.model.phone import Phone, read_phone
from outreach.model.records import ACTIVE_STATUSES, Contact, Skip, SkipKind
from outreach.model.settings import Config
from outreach.planning.playbook import Reach, sequence


@dataclass(frozen=True, slots=True)
class Assignment:
    """A contact who gets calls, and the rep who makes them."""

    contact: Contact
    owner: str
    handover_from: str | None
    account_value: Money | None
    """The account's value (its largest row), which orders the work."""
    reach: Reach = "all"
    """How far the contact's calls go (rules 14 and 19)."""
    no_sales_because: str | None = None
    """Why an upset contact gets the apology and follow-up only (rule 14)."""


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
        decided = any(  # a decision maker who will not be called leaves the sales to the others
            c.decision_maker
            and c.status in ACTIVE_STATUSES
            and not _contact_drop_reason(c, blocked_phones, blocked_emails)
            for c in rows
        )
        for contact in rows:
            # Rule 19: the sales steps go to the decision maker, when the account marks one.
            reach: Reach = "keep_in_touch" if decided and not contact.decision_maker else "all"
            no_sales = None
            reason = _contact_drop_reason(contact, blocked_phones, blocked_emails)
            if account_reason and contact.status == "upset" and not reason:
                # Rule 14: stopping never leaves a fresh problem unanswered.
                reach, no_sales = "apology", f"apology and follow-up only: {account_reason[2]}"
            elif account_reason:
                reason = account_reason
            if contact.status not in ACTIVE_STATUSES:
                reason = ("suppressed", "status", f"status {contact.status}: no outreach")
            elif (
                (contact.stage or contact.check_ins or reach != "all")
                and not reason
                and not sequence(contact, config.plays, reach)  # a stage may end it
            ):
                reason = _review(contact, config) or (
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
                assigned.append(Assignment(contact, handoff, contact.owner, value, reach, no_sales))
            else:
                assigned.append(Assignment(contact, contact.owner, None, value, reach, no_sales))
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
        why = f"the account is worth {value}, less than drop.min_account_value ({minimum:,f})"
        return "dropped", "account_value", why
    attempts = max(c.attempts for c in rows)
    if attempts >= config.drop.max_attempts:
        why = (
            f"{attempts} attempts to win the account back went nowhere "
            f"(drop.max_attempts is {config.drop.max_attempts})"
        )
        return "dropped", "attempts", why
    return None


def _review(contact: Contact, config: Config) -> _Reason | None:
    """Rule 14: every check-in made and nothing found; the manager decides, not the tool."""
    if contact.status != "lapsed" or contact.check_ins < config.plays.keep_in_touch_count:
        return None
    return "review", "outreach_check_ins", review_reason(contact.check_ins)


def review_reason(check_ins: int) -> str:
    return f"{check_ins} keep-in-touch calls in a row found nothing: stop calling?"
