from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.model.records import Contact
from outreach.model.settings import Config, ScheduleSettings
from outreach.planning.business_days import BusinessDays
from outreach.planning.campaign import parse_quarter, plan_campaign
from tests.factories import (
    EXAMPLE,
    HEADER,
    SETTINGS,
    dial_of,
    invoke,
    read_csv,
    row,
    usd,
    write_csv,
)


def lapsed(n: int, **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "line": n + 2, "account_id": f"A-{n}", "company": f"Company {n}", "contact_name": f"Contact {n}",
        "status": "lapsed", "owner": "Sam", "timezone": "America/New_York", "phone": "+1 212 555 0100",
        "account_value": usd(10_000 + n),
    }  # fmt: skip
    values.update(fields)
    return Contact(**dial_of(values))


def test_quarters_are_read_both_ways() -> None:
    assert parse_quarter("2027Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert parse_quarter("2027-Q4") == (date(2027, 10, 1), date(2027, 12, 31))


@settings(max_examples=40, deadline=None)
@given(
    contacts=st.integers(1, 200),
    cap=st.integers(1, 12),
    quarter=st.sampled_from(["2027Q1", "2027Q2", "2028Q3"]),
)
def test_calls_are_spread_evenly_and_the_most_valuable_first(
    contacts: int, cap: int, quarter: str
) -> None:
    first, last = parse_quarter(quarter)
    config = Config(schedule=ScheduleSettings(calls_per_day=cap))
    campaign = plan_campaign([lapsed(n) for n in range(contacts)], config, first, last, "c.csv")
    business = BusinessDays(config.schedule)
    days = [
        first + timedelta(n)
        for n in range((last - first).days + 1)
        if business(first + timedelta(n))
    ]
    load = Counter(call.start.date() for call in campaign.plan.calls)
    counts = [load[day] for day in days]
    assert all(abs(a - b) <= 1 for a, b in itertools.pairwise(counts)), counts
    assert max(counts) <= cap
    assert all(first <= call.start.date() <= last for call in campaign.plan.calls)
    by_value = sorted(
        campaign.plan.calls, key=lambda c: -(c.contact.account_value or usd(0)).amount
    )
    assert [c.start for c in by_value] == sorted(c.start for c in by_value)
    over = [s for s in campaign.plan.skipped if s.kind == "over capacity"]
    assert len(campaign.plan.calls) + len(over) == contacts
    assert len(over) == max(0, contacts - cap * len(days))


def test_over_capacity_is_reported_with_the_rep_and_a_remedy() -> None:
    first, last = date(2027, 3, 1), date(2027, 3, 5)  # five business days
    config = Config(schedule=ScheduleSettings(calls_per_day=2))
    contacts = [lapsed(n) for n in range(13)] + [lapsed(100, owner="Kim")]
    campaign = plan_campaign(contacts, config, first, last, "c.csv")
    over = [s for s in campaign.plan.skipped if s.kind == "over capacity"]
    assert len(over) == 3 and {s.owner for s in over} == {"Sam"}
    assert "3 calls missing at 2 a day" in over[0].reason
    assert over[0].line == min(s.line for s in over)
    (shortfall,) = campaign.shortfalls
    assert shortfall.advice() == (
        "Sam: 3 contacts (3 calls) over capacity; 1 more call a day or handing them to Kim would fit them"
    )


def test_lapsed_contacts_touched_recently_are_not_due() -> None:
    first, last = parse_quarter("2027Q1")
    recent = lapsed(1, last_contact=date(2027, 1, 5))  # its next check-in falls in April
    campaign = plan_campaign([recent, lapsed(2)], Config(), first, last, "c.csv")
    assert [c.contact.contact_name for c in campaign.plan.calls] == ["Contact 2"]
    (skip,) = campaign.plan.skipped
    assert skip.kind == "not due" and skip.line == 3


def campaign(contacts: Path, quarter: str, out: Path) -> tuple[int, str, str]:
    return invoke("campaign", str(contacts), "--quarter", quarter, "--out", str(out), "--config", str(SETTINGS),
                  "--now", "2026-12-20T00:00:00+00:00", "--invites")  # fmt: skip


@pytest.mark.slow
def test_two_quarters_continue_where_the_first_ended(tmp_path: Path) -> None:
    code, out, _ = campaign(EXAMPLE, "2027Q1", tmp_path / "q1")
    assert code == 0, out
    code, out, _ = campaign(tmp_path / "q1/accounts.next.csv", "2027Q2", tmp_path / "q2")
    assert code == 0, out
    q1, q2 = read_csv(tmp_path / "q1/plan.csv"), read_csv(tmp_path / "q2/plan.csv")
    assert not [r for r in q2 if r["play"] == "apology"]  # rule 8: never apologize twice
    sheets = [p.read_text(encoding="utf-8") for p in (tmp_path / "q1/sheets").rglob("*.html")]
    assert all(sum(r["id"] in sheet for sheet in sheets) == 1 for r in q1)  # each on one day sheet
    assert not {(r["contact_name"], r["play"], r["step"]) for r in q1} & {
        (r["contact_name"], r["play"], r["step"]) for r in q2
    }
    day = {
        (r["contact_name"], r["play"], r["step"]): datetime.fromisoformat(r["start"]).date()
        for r in q1 + q2
    }
    for (name, play, _), when in day.items():
        if play == "follow_up":  # never spread: a few business days after the apology (rule 7)
            assert (when - day[name, "apology", "1"]).days <= 7
        if play == "substantial_offer":  # its spacing holds across the two quarters
            assert (when - day[name, "small_step", "2"]).days >= 42
    check_ins = {r["contact_name"]: int(r["step"]) for r in q2 if r["play"] == "keep_in_touch"}
    cleared = {r["contact_name"] for r in q1 if r["play"] == "clear_the_air"}
    assert cleared and all(check_ins[name] == 1 for name in cleared)
    code, out, _ = campaign(tmp_path / "q2/accounts.next.csv", "2027Q3", tmp_path / "q3")
    q3 = read_csv(tmp_path / "q3/plan.csv")
    later = {r["contact_name"]: int(r["step"]) for r in q3 if r["play"] == "keep_in_touch"}
    assert later and all(later[name] == check_ins[name] + 1 for name in later)  # numbered on
    code, _, _ = invoke("check", str(tmp_path / "q3/accounts.next.csv"))
    assert code == 0


def test_accounts_next_keeps_every_original_column_row_and_value(tmp_path: Path) -> None:
    header = [*HEADER, "CRM Id", "Region; Area"]
    rows = [
        {**row(contact_name="Dana"), "CRM Id": "0012", "Region; Area": "EMEA"},
        {
            **row(contact_name="Omar", notes='Said "call me",\nafter 3pm'),
            "CRM Id": "",
            "Region; Area": "  x  ",
        },
        {**row(contact_name="Ann", status="angry"), "CRM Id": "7", "Region; Area": "Ünïcödé"},
        {
            **row(contact_name="Bea", account_id="A-2", account_value="$500"),
            "CRM Id": "8",
            "Region; Area": "",
        },
    ]
    path = write_csv(tmp_path / "in.csv", rows, header, delimiter=";", encoding="utf-8-sig")
    code, _, _ = campaign(path, "2027Q1", tmp_path / "q1")
    assert code == 1  # one row was rejected
    written = (tmp_path / "q1/accounts.next.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written
    back = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline=""), delimiter=";"))
    original = list(
        csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";")
    )
    names = [
        "outreach_stage",
        "outreach_stage_date",
        "outreach_next_call",
        "outreach_next_play",
        "outreach_note",
    ]
    assert back[0] == [*original[0], *names]
    assert [r[: len(original[0])] for r in back] == original
    added = {r[2]: dict(zip(back[0][-5:], r[-5:], strict=True)) for r in back[1:]}
    assert added["Dana"]["outreach_next_play"] == "apology" and added["Dana"]["outreach_stage"]
    assert back[3] == original[3]  # Ann's row is rejected: kept as it was, nothing added
    # rule 14: an upset account not worth the sales steps still gets its apology, and says why
    assert added["Bea"]["outreach_next_play"] == "apology"
    assert added["Bea"]["outreach_note"] == (
        "apology and follow-up only: the account is worth USD 500, "
        "less than drop.min_account_value (1,000)"
    )


def test_the_report_shows_the_figures_of_plan_csv(tmp_path: Path) -> None:
    code, out, _ = campaign(EXAMPLE, "2027Q1", tmp_path / "q1")
    assert code == 0
    plan = read_csv(tmp_path / "q1/plan.csv")
    page = (tmp_path / "q1/report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.replace('href="calendars/', "")
    assert re.search(rf"<b>{len(plan)}</b>calls planned", page)
    for rep, n in Counter(r["owner"] for r in plan).items():
        assert re.search(rf"<tr><th scope=\"row\">{rep}</th><td class=\"n\">{n}</td>", page), rep
        assert f'href="calendars/{rep.lower().replace(" ", "-")}.ics"' in page
    for play, n in Counter(r["play"] for r in plan).items():
        assert f'<td>{play.replace("_", " ")}</td><td class="n">{n}</td>' in page
    assert f"total             {len(plan)}" in out.replace("  ", "  ")
