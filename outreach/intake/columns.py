"""The CSV columns the tool knows, and how a CRM's headers are matched to them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

FIELDS = (
    "account_id",
    "company",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "timezone",
    "country",
    "owner",
    "status",
    "fault",
    "reason",
    "incident",
    "incident_date",
    "root_cause",
    "changes_made",
    "options",
    "low_risk_offer",
    "account_value",
    "last_contact",
    "attempts",
    "notes",
    "handoff_to",
    "role",  # rule 19: `decision_maker` marks who gets the sales steps
    "escalated",  # rule 16: not empty, the manager joins the apology
    "stage",
    "stage_date",
    "outreach_attempts",  # tries that reached nobody, as a campaign counted them: add to attempts
    "outreach_check_ins",  # keep-in-touch calls made with nothing found, over campaigns
    "outreach_promises",  # the promises a follow-up has yet to confirm, as a campaign wrote them
)
REQUIRED = ("account_id", "company", "contact_name", "status")
OUTCOME_FIELDS = ("id", "outcome", "at", "note", "callback", "promise", "due")
"""The columns of a file of call outcomes (plan.csv with an `outcome` column, a CRM's calls)."""
NAMED_FIELDS = (*FIELDS, *OUTCOME_FIELDS)
"""The fields the settings' [columns] may name a CRM's column for."""

_NOISE = re.compile(r"[\s_\-.]+")


def normalize_header(header: str) -> str:
    """`Account ID`, `account-id` and `ACCOUNT_ID` all read as `accountid`."""
    return _NOISE.sub("", header).casefold()


# What CRMs commonly call our columns (Salesforce, HubSpot, Pipedrive exports), normalized.
ALIASES = {
    "accountname": "company", "companyname": "company", "organization": "company",
    "contact": "contact_name", "fullname": "contact_name",
    "title": "contact_title", "jobtitle": "contact_title",
    "emailaddress": "email", "phonenumber": "phone", "tz": "timezone",
    "accountowner": "owner", "ownername": "owner",
    "lastcontacted": "last_contact", "lastcontactdate": "last_contact", "lastactivitydate": "last_contact",
    "contactrole": "role", "buyingrole": "role", "buyerrole": "role",
    "outreachstage": "stage", "outreachstagedate": "stage_date",  # what campaign writes (owncolumns)
}  # fmt: skip
_BY_NORMALIZED = {**ALIASES, **{normalize_header(name): name for name in FIELDS}}
OUTCOME_ALIASES = {
    "callid": "id",
    "disposition": "outcome",
    "calldisposition": "outcome",
    "calloutcome": "outcome",
    "callresult": "outcome",
    "notes": "note",
    "callnotes": "note",
    "promises": "promise",
    "duedate": "due",
    **{normalize_header(name): name for name in OUTCOME_FIELDS},
}
"""An outcomes file's columns by their normalized header, with what CRMs call them."""


def map_headers(
    headers: Sequence[str], mapping: Mapping[str, str], known: Mapping[str, str] = _BY_NORMALIZED
) -> list[str | None]:
    """Our field name for each header, or None for a column we keep only as an extra. `known`
    names a kind of file's fields by normalized header (a contacts file's by default); the
    settings' `mapping` (CRM header → field) comes first, for the fields of that kind."""
    fields = set(known.values())
    mapped = {normalize_header(crm): field for crm, field in mapping.items() if field in fields}
    return [mapped.get(normalize_header(h)) or known.get(normalize_header(h)) for h in headers]
