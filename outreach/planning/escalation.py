"""Rule 16: the manager joins the apology when it matters, and who that is."""

from __future__ import annotations

from dataclasses import dataclass

from outreach.model.plan import Call
from outreach.model.settings import Config


@dataclass(frozen=True, slots=True)
class Escalation:
    manager: str
    email: str | None
    reason: str
    """Why the manager joins, as a short sentence: "the customer escalated"."""


def escalation(call: Call, config: Config) -> Escalation | None:
    """Who joins the apology `call` and why; None when nobody does (another play, no manager
    configured for the rep, an account neither escalated nor worth more than the threshold)."""
    manager = config.rep(call.owner).manager
    if call.play != "apology" or not manager:
        return None
    contact, above = call.contact, config.plays.manager_joins_above
    if contact.escalated:
        reason = "the customer escalated"
    elif (
        (value := contact.account_value) is not None and above is not None and value.amount > above
    ):
        # compared in the value's own currency, like drop.min_account_value: no exchange rates
        reason = f"an account worth {value}, above {above:,f}"
    else:
        return None
    return Escalation(manager, config.rep(manager).email, reason)
