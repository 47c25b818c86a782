"""Synthetic CRM exports of any size, for the benchmark: realistic, valid and deterministic.

    python benchmarks/synthetic.py 10000 --out contacts.csv --seed 7

The same size and seed always give the same bytes. Rows are written one at a time, so
100,000 contacts cost no more memory than 100.

What a file holds, roughly (per contact row unless said otherwise):

- one rep per 1,250 contacts, at least 4 (8 reps for 10,000 contacts); ~3% of accounts are
  handed over to another rep;
- 16 IANA time zones on five continents, including Asia/Kolkata (+05:30),
  America/St_Johns (-03:30) and Australia/Sydney; ~3% of rows leave the zone empty and a
  few spell it in lower case;
- accounts of 1–4 contacts (1.9 on average) that share company, incident and value;
- status per account: ~55% upset, ~40% lapsed, ~5% resolved or won_back; fault `company`
  three times in four, otherwise `personal` (the rep's own fault, told in the first person);
- reasons delivery, billing, quality, quote and service, each with its own incident, root
  cause, changes made, options (2–3, joined by `|`) and low-risk offer;
- account values typed as `$12,500`, `12500.00`, `USD 12,500.00`, `EUR 12.500,00`, …;
  ~2% of accounts are worth less than 1,000 and ~2% have no value;
- dates typed as `2026-11-09`, `11/09/2026`, `9 November 2026`, `Nov 9, 2026`, …;
- a few non-ASCII names (Jürgen Weiß, Łukasz Dąbrowski, 陈 伟), ~0.7% of rows without a
  phone, ~8% without an e-mail, empty notes and last contacts here and there.

Every row passes `outreach check`; some get no calls by design (no phone, small account,
too many attempts, resolved status), as in a real export.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

HEADER = (
    "account_id", "company", "contact_name", "contact_title", "email", "phone", "timezone",
    "owner", "status", "fault", "reason", "incident", "incident_date", "root_cause",
    "changes_made", "options", "low_risk_offer", "account_value", "last_contact", "attempts",
    "notes", "handoff_to",
)  # fmt: skip

CONTACTS_PER_REP = 1_250
MIN_REPS = 4

# Zone, relative weight, phone prefix (with a space), digits after the prefix, currency style.
ZONES: tuple[tuple[str, int, str, int, str], ...] = (
    ("America/New_York", 14, "+1 212 555 ", 4, "usd"),
    ("America/Chicago", 9, "+1 312 555 ", 4, "usd"),
    ("America/Denver", 4, "+1 303 555 ", 4, "usd"),
    ("America/Los_Angeles", 9, "+1 415 555 ", 4, "usd"),
    ("America/Toronto", 5, "+1 416 555 ", 4, "usd"),
    ("America/St_Johns", 2, "+1 709 555 ", 4, "usd"),
    ("America/Mexico_City", 4, "+52 55 5550 ", 4, "usd"),
    ("America/Sao_Paulo", 5, "+55 11 5550 ", 4, "usd"),
    ("Europe/London", 9, "+44 20 7946 ", 4, "gbp"),
    ("Europe/Berlin", 8, "+49 89 5550 ", 4, "eur"),
    ("Europe/Paris", 6, "+33 1 5550 ", 4, "eur"),
    ("Africa/Johannesburg", 3, "+27 11 555 ", 4, "usd"),
    ("Asia/Kolkata", 6, "+91 80 5550 ", 4, "usd"),
    ("Asia/Singapore", 4, "+65 6555 ", 4, "usd"),
    ("Asia/Tokyo", 5, "+81 3 5550 ", 4, "jpy"),
    ("Australia/Sydney", 7, "+61 2 5550 ", 4, "aud"),
)

FIRST_NAMES = (
    "Dana", "Omar", "Harriet", "Anna", "Lukas", "Grace", "Kenji", "Ananya", "Ben", "Chloe",
    "Ingrid", "Paulo", "Marcus", "Priya", "Tom", "Sofia", "James", "Maria", "David", "Sarah",
    "Michael", "Emma", "Daniel", "Olivia", "Ahmed", "Fatima", "Wei", "Mei", "Raj", "Aisha",
    "Carlos", "Elena", "Hiroshi", "Yuki", "Liam", "Noah", "Ava", "Mia", "Ethan", "Isabel",
    "Samuel", "Laura", "Peter", "Nina", "Victor", "Hannah", "Arjun", "Kavya", "Tariq", "Leila",
)  # fmt: skip
LAST_NAMES = (
    "Ruiz", "Haddad", "Cole", "Vogt", "Brandt", "Okafor", "Watanabe", "Iyer", "Tran", "Martin",
    "Solberg", "Santos", "Chen", "Nair", "Becker", "Alvarez", "Smith", "Johnson", "Brown",
    "Garcia", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Jackson",
    "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott", "Green",
    "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Patel", "Khan",
    "Singh", "Kim", "Nguyen", "Tanaka", "Suzuki", "Rossi", "Dubois", "Schmidt", "Novak",
)  # fmt: skip
NON_ASCII_NAMES = (
    "Jürgen Weiß", "Lucía Fernández", "Zoë Lefèvre", "Søren Kjær", "Łukasz Dąbrowski",
    "François Côté", "Antonín Dvořák", "Çağla Öztürk", "José Núñez", "Ólafur Þórsson",
    "陈 伟", "Nguyễn Thị Hà",
)  # fmt: skip
TITLES = (
    "Head of Procurement", "Purchasing Manager", "Operations Director", "Buyer",
    "Supply Chain Lead", "Facilities Manager", "Owner", "General Manager", "CFO",
    "Store Operations Manager", "Category Manager", "Plant Manager", "Office Manager",
)  # fmt: skip

COMPANY_FIRST = (
    "Northwind", "Bluegum", "Kessler", "Meridian", "Sakura", "Tata Ridge", "Pampas", "Cascade",
    "Harbourside", "Fjord", "Rio Verde", "Summit", "Ironbark", "Lakeside", "Granite", "Maple",
    "Silverline", "Redwood", "Coastal", "Pioneer", "Evergreen", "Horizon", "Atlas", "Sterling",
    "Orchid", "Kestrel", "Juniper", "Alder", "Beacon", "Cobalt",
)  # fmt: skip
COMPANY_SECOND = (
    "Traders", "Logistics", "Foods", "Health Partners", "Components", "Agro", "Coffee Roasters",
    "Hotels", "Marine", "Bebidas", "Manufacturing", "Retail", "Packaging", "Engineering",
    "Supplies", "Clinics", "Builders", "Textiles", "Electronics", "Pharma",
)  # fmt: skip
COMPANY_SUFFIX = ("", "", "", " Inc.", " Ltd", " GmbH", " S.A.", " K.K.", " Pty Ltd", ", LLC")

REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "delivery": {
        "incident": (
            "Order of {n} units arrived {d} days late, missing their store launch",
            "Three shipments held at customs for missing paperwork",
            "Spare parts shipped to the wrong port",
            "Half of the {n} cartons went to their old warehouse",
        ),
        "cause": (
            "A carrier change at our warehouse was not communicated to dispatch",
            "Our export team used an outdated commodity code",
            "A port code typo in the order form",
            "The delivery address was never updated in the ERP after their move",
        ),
        "company": (
            "Dispatch now confirms every carrier change with the account team; late orders trigger an alert on day one",
            "Commodity codes are checked against the customs database before each shipment",
            "The order form now validates port codes",
        ),
        "personal": (
            "I now check the delivery address with the customer before every first order",
            "I confirm every launch date with dispatch in writing",
        ),
        "options": (
            "Credit of 10% on the delayed order",
            "Free expedited shipping for the next two orders",
            "Dedicated dispatch contact for launches",
            "Cover the storage fees",
            "Pre-cleared paperwork for the next shipment",
        ),
        "offer": (
            "A trial order of display stands",
            "A single pre-cleared trial shipment",
            "One pallet with tracked express delivery",
        ),
    },
    "billing": {
        "incident": (
            "Invoiced twice for the October service visit",
            "Charged the wrong price tier for {d} months",
            "A credit note of ${n} was never applied",
        ),
        "cause": (
            "Our billing system retried a failed export and created a duplicate invoice",
            "A pricing migration left the account on the old tier",
            "The credit note was filed against a closed account number",
        ),
        "company": (
            "Duplicate invoices are now blocked at export and finance reviews retries by hand",
            "Tier assignments are now audited monthly",
            "Credit notes are matched to open invoices every Friday",
        ),
        "personal": (
            "I now review every invoice of my accounts before it is sent",
            "I check each price change with finance on the day I agree it",
        ),
        "options": (
            "Refund within three days",
            "A month of service at no charge",
            "Single consolidated monthly invoice",
            "Refund of the difference",
        ),
        "offer": ("A one-off filter replacement visit", "A bag of the seasonal blend"),
    },
    "quality": {
        "incident": (
            "Two batches of gaskets failed their pressure tests",
            "Fertiliser bags arrived torn and partly spoiled",
            "Linen deliveries came back stained {d} weeks in a row",
            "{n} units shipped with the wrong firmware",
        ),
        "cause": (
            "A supplier swapped the rubber compound without notice",
            "Pallets were stacked above the rated height in transit",
            "A washing line was run with the wrong detergent dose",
            "A test station skipped the firmware check after an update",
        ),
        "company": (
            "Every incoming compound is now tested before production and suppliers must announce changes",
            "Pallet height is now capped and checked at loading",
            "Dosing is now metered and each batch is inspected",
        ),
        "personal": (
            "I now ask for the quality report before I confirm a delivery date",
            "I sign off every first batch for my accounts myself",
        ),
        "options": (
            "Replacement of the remaining stock",
            "Extended warranty on the next order",
            "Joint quality audit",
            "Credit of 15%",
            "Free delivery inspection on arrival",
        ),
        "offer": (
            "A small batch of standard O-rings",
            "A single pallet of the new bag design",
            "A trial of the new towel range for one floor",
        ),
    },
    "quote": {
        "incident": (
            "Quoted freight rates that expired a week before signing",
            "A volume discount of {d}% was quoted and not honoured",
            "The quote for {n} units left out the installation",
        ),
        "cause": (
            "Last quarter's rate card was sent instead of the current one",
            "The discount was not checked with pricing before it was promised",
            "The quoting template dropped the services section",
        ),
        "company": (
            "Quotes now come only from the live pricing tool",
            "Every discount is approved by pricing before it reaches the customer",
        ),
        "personal": (
            "I now send quotes only from the live pricing tool and have them checked by a colleague",
            "Every discount I offer is now approved before it reaches the customer",
        ),
        "options": (
            "Honour the quoted rate for this shipment",
            "A rate lock for the next quarter",
            "A free route review",
            "Honour half the discount on the next order",
            "Free freight on a trial order",
        ),
        "offer": ("One lane at the quoted rate for a month", "A trial order of one SKU"),
    },
    "service": {
        "incident": (
            "A site visit promised for June never happened",
            "Support tickets went unanswered for {d} days",
            "The onboarding call was cancelled twice at short notice",
        ),
        "cause": (
            "The week was double-booked and the visit was not rescheduled",
            "The shared inbox had no owner during the holidays",
            "Two teams each assumed the other would run the call",
        ),
        "company": (
            "Every ticket now has an owner within four hours, holidays included",
            "Onboarding calls now have a named owner and a backup",
        ),
        "personal": (
            "I now confirm every visit in writing and keep a shared calendar with the account",
            "I hand my accounts over in writing before any leave",
        ),
        "options": (
            "A visit at their convenience this month",
            "Free packaging consultation",
            "A quarterly review with our service lead",
        ),
        "offer": ("A sample pallet of the new trays", "A free half-day workshop on site"),
    },
}

NOTES = (
    "Escalated to their CFO",
    "Prefers calls before lunch",
    "Small account; buys a few bags a month",
    "Now buying from a competitor",
    "Asked for everything in writing after the call",
    "Personality clash on the last call; keep it short, formal",
    'Said "never again" to the account manager; be patient',
)

# Date spellings people type: ISO, US, long, short, with slashes.
DATE_FORMATS = ("iso", "iso", "iso", "us", "long", "short_month", "day_month", "slashes")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
INCIDENTS_FROM = date(2025, 9, 1)
INCIDENTS_DAYS = 540  # up to late February 2027, before the benchmark's --start of 2027-03-08


@dataclass(frozen=True, slots=True)
class Summary:
    """What was written."""

    contacts: int
    accounts: int
    reps: int
    path: Path


def person(rng: random.Random, taken: set[str]) -> str:
    """A name not yet in `taken` (case-folded names of the account's contacts so far)."""
    while True:
        if rng.random() < 0.03:
            name = rng.choice(NON_ASCII_NAMES)
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name.casefold() not in taken:
            taken.add(name.casefold())
            return name


def rep_count(contacts: int) -> int:
    """One rep per 1,250 contacts (8 for 10,000), at least 4."""
    return max(MIN_REPS, round(contacts / CONTACTS_PER_REP))


def rep_names(count: int, rng: random.Random) -> list[str]:
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    names = [f"{first} {last}" for first, last in pairs[:count]]
    for extra in range(len(names), count):  # past 2,800 reps the pairs run out
        names.append(f"Rep {extra + 1:05d}")
    return names


def typed_date(day: date, rng: random.Random) -> str:
    """One date, spelt one of the ways a CRM export or a person types it."""
    style = rng.choice(DATE_FORMATS)
    if style == "iso":
        return day.isoformat()
    if style == "us":
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if style == "long":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == "short_month":
        return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"
    if style == "day_month":
        return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


def typed_money(amount: int, currency: str, rng: random.Random) -> str:
    """An amount as people type it: `$12,500`, `12500.00`, `EUR 12.500,00`, `¥9,800,000`."""
    grouped = f"{amount:,}"
    style = rng.random()
    if style < 0.25:
        return f"{amount}.00"
    if style < 0.35:
        return str(amount)
    if currency == "eur":
        european = grouped.replace(",", ".")
        return rng.choice((f"EUR {european},00", f"€{european},00", f"{european},00 €"))
    if currency == "gbp":
        return rng.choice((f"£{grouped}", f"GBP {grouped}.00"))
    if currency == "jpy" and amount >= 1_000:
        return f"¥{amount * 150:,}"
    if currency == "aud":
        return rng.choice((f"AUD {grouped}.00", f"A${grouped}"))
    return rng.choice((f"${grouped}", f"${grouped}", f"USD {grouped}.00"))


def _account_value(rng: random.Random) -> int:
    """Log-uniform between 1,000 and 250,000; ~2% below 1,000 (dropped by default)."""
    if rng.random() < 0.02:
        return rng.randrange(150, 1_000, 50)
    return int(round(1_000 * 250 ** rng.random(), -2))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", ascii_text.casefold()).strip(".")


def _phone(prefix: str, digits: int, rng: random.Random) -> str:
    number = f"{prefix}{rng.randrange(10**digits):0{digits}d}"
    if prefix.startswith("+1 ") and rng.random() < 0.3:  # North Americans type it their way
        area, exchange, line = number[3:6], number[7:10], number[11:]
        number = f"({area}) {exchange}-{line}"
    if rng.random() < 0.03:
        number += f" ext. {rng.randrange(10, 999)}"
    return number


def _fill(text: str, rng: random.Random) -> str:
    return text.format(n=rng.randrange(20, 900, 10), d=rng.randrange(2, 12))


def _weighted_zones(rng: random.Random) -> Iterator[tuple[str, str, int, str]]:
    names = [zone for zone, *_ in ZONES]
    weights = [weight for _, weight, *_ in ZONES]
    details = {zone: (prefix, digits, money) for zone, _, prefix, digits, money in ZONES}
    while True:
        zone = rng.choices(names, weights)[0]
        yield (zone, *details[zone])


def rows(contacts: int, seed: int = 0) -> Iterator[list[str]]:
    """The data rows of a file of `contacts` contacts, one list of cells at a time."""
    rng = random.Random(seed)
    reps = rep_names(rep_count(contacts), rng)
    zones = _weighted_zones(rng)
    written = 0
    account = 0
    while written < contacts:
        account += 1
        size = min(rng.choices((1, 2, 3, 4), (45, 30, 17, 8))[0], contacts - written)
        zone, prefix, digits, currency = next(zones)
        owner = rng.choice(reps)
        handoff = rng.choice([r for r in reps if r != owner]) if rng.random() < 0.03 else ""
        roll = rng.random()
        status = "upset" if roll < 0.55 else "lapsed" if roll < 0.95 else "resolved"
        if status == "resolved" and rng.random() < 0.4:
            status = "won_back"
        fault = "company" if rng.random() < 0.75 else "personal"
        reason = rng.choice(tuple(REASONS))
        texts = REASONS[reason]
        # An incident, its cause and its fix belong together.
        story = rng.randrange(len(texts["incident"]))
        incident = _fill(texts["incident"][story], rng)
        cause = texts["cause"][story % len(texts["cause"])]
        if fault == "personal":
            cause = "I missed it: " + cause[0].lower() + cause[1:]
            changes = rng.choice(texts["personal"])
        else:
            changes = texts["company"][story % len(texts["company"])]
        options = rng.sample(texts["options"], k=rng.randint(2, 3))
        offer = rng.choice(texts["offer"])
        company = (
            f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)}{rng.choice(COMPANY_SUFFIX)}"
        )
        domain = _slug(company.split(",")[0]).replace(".", "") + ".example"
        value = _account_value(rng)
        value_missing = rng.random() < 0.02
        incident_day = INCIDENTS_FROM + timedelta(days=rng.randrange(INCIDENTS_DAYS))
        attempts_base = 5 if rng.random() < 0.01 else rng.choice((0, 0, 1, 1, 2, 3))
        taken: set[str] = set()
        for index in range(size):
            name = person(rng, taken)
            phone = "" if rng.random() < 0.007 else _phone(prefix, digits, rng)
            email = "" if rng.random() < 0.08 else f"{_slug(name) or 'contact'}@{domain}"
            zone_cell = "" if rng.random() < 0.03 else zone
            if zone_cell and rng.random() < 0.01:
                zone_cell = zone_cell.lower()
            last = ""
            if rng.random() < 0.7:
                last = typed_date(incident_day + timedelta(days=rng.randrange(1, 60)), rng)
            row_options = options if rng.random() < 0.9 else options[: rng.randint(0, 1)]
            yield [
                f"A-{account:06d}",
                company,
                name,
                rng.choice(TITLES) if rng.random() < 0.9 else "",
                email,
                phone,
                zone_cell,
                owner,
                status,
                fault if rng.random() < 0.95 else "",
                reason,
                incident,
                typed_date(incident_day, rng),
                cause if rng.random() < 0.95 else "",
                changes if rng.random() < 0.95 else "",
                "|".join(row_options),
                offer if rng.random() < 0.9 else "",
                "" if value_missing else typed_money(value, currency, rng),
                last,
                str(max(0, attempts_base - rng.randint(0, 1))),
                rng.choice(NOTES) if rng.random() < 0.15 else "",
                handoff if index == 0 else "",
            ]
            written += 1


def write_contacts(out: TextIO, contacts: int, seed: int = 0) -> tuple[int, int]:
    """Write the header and `contacts` rows to a text stream; (contacts, accounts) written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = accounts = 0
    last_account = ""
    for cells in rows(contacts, seed):
        writer.writerow(cells)
        count += 1
        if cells[0] != last_account:  # an account's rows are consecutive
            last_account = cells[0]
            accounts += 1
    return count, accounts


def write_file(path: Path, contacts: int, seed: int = 0) -> Summary:
    """A contacts CSV of `contacts` rows at `path`, UTF-8, CRLF line ends as Excel writes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        count, accounts = write_contacts(handle, contacts, seed)
    return Summary(contacts=count, accounts=accounts, reps=rep_count(contacts), path=path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("contacts", type=int, help="number of contact rows to write")
    parser.add_argument("--out", type=Path, help="file to write; default: standard output")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.contacts < 1:
        parser.error("contacts must be at least 1")
    if args.out is None:
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(newline="")  # the csv module writes its own line ends
        try:
            count, accounts = write_contacts(sys.stdout, args.contacts, args.seed)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        target = "standard output"
    else:
        summary = write_file(args.out, args.contacts, args.seed)
        count, accounts, target = summary.contacts, summary.accounts, str(args.out)
    print(
        f"{count:,} contacts in {accounts:,} accounts for {rep_count(args.contacts)} reps "
        f"written to {target}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
