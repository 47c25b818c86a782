"""Records for tests, built directly: a complete upset contact by default, any field overridden.

Every datetime is aware, in the contact's zone unless a test says otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from outreach.model.phone import Phone, read_phone, zone_region
from outreach.model.plan import Call, Flag, call_id
from outreach.model.plays import Play
from outreach.model.records import Contact


def dial_of(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with `dial` read from `phone` as intake reads it (in the zone's country),
    unless a test sets it; None for a phone that intake would reject."""
    phone = fields.get("phone")
    if "dial" in fields or not phone:
        return fields
    dial: Phone | None
    try:
        dial = read_phone(phone, zone_region(fields.get("timezone") or ""))
    except ValueError:
        dial = None
    return {**fields, "dial": dial}


def make_contact(**overrides: Any) -> Contact:
    """Dana Ruiz of Northwind Traders, upset after a late delivery the company caused."""
    fields: dict[str, Any] = {
        "line": 2,
        "account_id": "A-1001",
        "company": "Northwind Traders",
        "contact_name": "Dana Ruiz",
        "status": "upset",
        "owner": "Marcus Chen",
        "timezone": "America/New_York",
        "contact_title": "Head of Procurement",
        "email": "dana.ruiz@northwind.example",
        "phone": "+1 212 555 0142",
        "fault": "company",
        "reason": "delivery",
        "incident": "Spring order of 400 units arrived nine days late, missing their store launch",
        "incident_date": date(2026, 11, 9),
        "root_cause": "A carrier change at our Newark warehouse was not communicated to dispatch",
        "changes_made": "Dispatch now confirms every carrier change with the account team",
        "options": (
            "Credit of 10% on the delayed order",
            "Free expedited shipping for the next two orders",
        ),
        "low_risk_offer": "A trial order of display stands",
        "account_value": Decimal(48000),
        "last_contact": date(2026, 11, 10),
        "attempts": 1,
        "notes": "Escalated to her CFO",
    }
    fields.update(overrides)
    return Contact(**dial_of(fields))


def at(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, zone: str = "America/New_York"
) -> datetime:
    """An aware datetime, by default 10:00 in New York."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def make_call(
    contact: Contact | None = None,
    play: Play = "apology",
    *,
    step: int = 1,
    start: datetime | None = None,
    minutes: int = 30,
    owner: str | None = None,
    flags: tuple[Flag, ...] = (),
    handover_from: str | None = None,
) -> Call:
    """A call to `contact` (default: make_contact()) by its owner, at 10:00 on 16 Nov 2026
    in the contact's zone unless `start` says otherwise."""
    contact = contact or make_contact()
    start = start or at(2026, 11, 16, zone=contact.timezone)
    if start.tzinfo is None:
        raise ValueError("make_call needs an aware start")
    return Call(
        id=call_id(contact.account_id, contact.contact_name, play, step),
        contact=contact,
        owner=owner or contact.handoff_to or contact.owner,
        play=play,
        step=step,
        at=int(start.timestamp()),
        minutes=minutes,
        flags=flags,
        handover_from=handover_from,
    )


def handed_over(contact: Contact | None = None, to: str = "Priya Nair") -> Contact:
    """The contact with its account handed over to another rep (rule 13)."""
    return replace(contact or make_contact(), handoff_to=to)


def make_handover_call(
    contact: Contact | None = None, play: Play = "apology", *, to: str = "Priya Nair", **kwargs: Any
) -> Call:
    """A call made by the rep the account was handed over to, from its previous owner."""
    contact = handed_over(contact, to)
    return make_call(contact, play, owner=to, handover_from=contact.owner, **kwargs)
