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
    "stage",
    "stage_date",
)
REQUIRED = ("account_id", "company", "contact_name", "status")

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
    "outreachstage": "stage", "outreachstagedate": "stage_date",  # what campaign writes (owncolumns)
}  # fmt: skip
_BY_NORMALIZED = {**ALIASES, **{normalize_header(name): name for name in FIELDS}}


def map_headers(headers: Sequence[str], mapping: Mapping[str, str]) -> list[str | None]:
    """Our field name for each header, or None for a column we keep only as an extra."""
    mapped = {normalize_header(crm): field for crm, field in mapping.items()}
    return [
        mapped.get(normalize_header(h)) or _BY_NORMALIZED.get(normalize_header(h)) for h in headers
    ]
