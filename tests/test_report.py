"""report.html tells the whole truth: every input row, load against capacity, money per
currency. The page is read with html.parser and checked against plan.csv and skipped.csv."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from outreach.config import parse_config
from outreach.formats.report import figures, report_html, totals_table
from outreach.formats.tables import PLAN_FIELDS, plan_row
from outreach.intake import cells
from outreach.intake.contacts import read_contacts
from outreach.model.money import Money, totals
from outreach.model.plan import Plan
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config, Rep, ScheduleSettings
from outreach.planning.campaign import plan_campaign
from outreach.planning.capacity import weekly_load
from outreach.render.templates import builtin_templates_dir
from tests.factories import ROOT, at, invoke, make_call, make_contact, read_csv, row, write_csv


class _Tables(HTMLParser):
    """Each table of the page as rows of cell texts; each <summary> line, with the table
    that follows it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.summaries: dict[str, int] = {}
        self._cell: list[str] | None = None
        self._summary: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "summary":
            self._summary = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "summary" and self._summary is not None:
            self.summaries["".join(self._summary)] = len(self.tables)
            self._summary = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._summary):
            if part is not None:
                part.append(data)


def _tables(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def test_every_row_of_a_messy_export_is_counted_and_upset_rows_come_first(tmp_path: Path) -> None:
    rows = [
        row(contact_name="Lapsed Bad", account_id="A-3", status="lapsed", timezone="Nowhere/City"),
        row(contact_name="Bad Zone", account_id="A-9", account_value="$1,200,000", timezone="Mars/Base"),
        row(contact_name="No Status", account_id="A-2", status="angry"),
        row(contact_name="Bad Money", account_id="A-4", account_value="XYZ 5"),
        row(contact_name="", account_id="A-5"),
        row(contact_name="Bad Date", account_id="A-6", incident_date="2026-02-30"),
        row(contact_name="Done", account_id="A-7", status="resolved"),
        row(contact_name="Small", account_id="A-8", account_value="£500"),
        *(row(contact_name=f"Fine {n}", account_id=f"B-{n}", account_value=f"€{n}0,000") for n in range(1, 4)),
    ]  # fmt: skip
    contacts = write_csv(tmp_path / "c.csv", rows)
    code, _, err = invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out",
                          str(tmp_path / "q"), "--calls-per-day", "1",
                          "--now", "2027-01-04T08:00Z")  # fmt: skip
    assert code != 0 and "Traceback" not in err  # rejected rows make the exit status non-zero
    skipped = Counter(r["kind"] for r in read_csv(tmp_path / "q/skipped.csv"))
    calls = read_csv(tmp_path / "q/plan.csv")
    planned = {(r["account_id"], r["contact_name"]) for r in calls}
    assert skipped["rejected"] == 6 and sum(skipped.values()) + len(planned) == len(rows)
    page = _tables((tmp_path / "q/report.html").read_text(encoding="utf-8"))
    counts = next(t for t in page.tables if t[0] == ["rows", "count", "of them upset"])
    shown = {cells[0]: int(cells[1]) for cells in counts[1:]}
    assert shown == {"with calls": len(planned), **skipped, "total": len(rows)}
    weekly = page.tables[page.summaries["Calls per week, by play: the figures as a table"]]
    assert sum(int(n) for week in weekly[1:] for n in week[1:]) == len(calls)
    listed = page.tables[page.summaries["timezone: 2 rows, 1 upset"]]
    assert listed[1][:6] == ["3", "A-9", "Bad Zone", "Sam Rep", "upset", "USD 1,200,000"]
    assert listed[2][4] == "lapsed"


def test_load_is_against_the_reps_working_days_on_the_reps_own_calendar() -> None:
    monday = date(2027, 3, 1)
    config = Config(
        schedule=ScheduleSettings(calls_per_day=4, holidays=(date(2027, 3, 3),)),
        reps={"Sam": Rep("Sam", "Asia/Tokyo", time_off=((date(2027, 3, 4), date(2027, 3, 4)),))},
    )
    contact = make_contact(owner="Sam")
    calls = [
        make_call(contact, start=at(2027, 3, 1, 10)),
        # Sunday evening in New York is Monday morning in Tokyo: the rep's second week.
        make_call(contact, "follow_up", start=at(2027, 3, 7, 20)),
    ]
    load = weekly_load(calls, ["Sam"], monday, date(2027, 3, 12), config)["Sam"]
    first, second = load[monday], load[date(2027, 3, 8)]
    assert (first.calls, first.capacity) == (1, 4 * 3)  # Wednesday's holiday, Thursday off
    assert (second.calls, second.capacity, second.share) == (1, 4 * 5, 0.05)


def test_totals_are_per_currency_and_never_added_across() -> None:
    values = [Money(Decimal(10), "USD"), Money(Decimal(5), "EUR"), Money(Decimal("2.5"), "USD")]
    assert totals(values) == (Money(Decimal(5), "EUR"), Money(Decimal("12.5"), "USD"))
    assert [str(v) for v in totals(values)] == ["EUR 5", "USD 12.50"]


def test_the_example_reports_each_reps_value_in_its_currencies(tmp_path: Path) -> None:
    config = parse_config({}, "test")
    contacts = [
        c for c in read_contacts(ROOT / "contacts.example.csv", config) if isinstance(c, Contact)
    ]
    plan = plan_campaign(contacts, config, date(2027, 1, 4), date(2027, 3, 31), "c.csv").plan
    data = figures(plan, "Q1", date(2027, 1, 4), date(2027, 3, 31), config, {})
    tom = next(r for r in data.reps if r.rep == "Tom Becker")
    assert [str(v) for v in tom.value] == ["CAD 27,300", "EUR 85,000"]  # each account once
    table = "\n".join(totals_table(data))
    assert "JPY 9,800,000" in table and "USD 48,000" in table
    page = _tables(report_html(data, jinja2.FileSystemLoader(builtin_templates_dir())))
    value = next(t for t in page.tables if t[0] == ["rep", "currency", "value in play"])
    assert ["Tom Becker", "EUR", "85,000"] in value


@pytest.mark.slow  # plans 10,000 contacts: ~10 s of CPU
def test_the_report_of_10000_contacts_stays_under_a_megabyte(tmp_path: Path) -> None:
    from benchmarks.synthetic import write_file

    path = tmp_path / "c.csv"
    write_file(path, 10_000, 7)
    config = parse_config({}, "test")
    read = list(read_contacts(path, config))
    contacts = [c for c in read if isinstance(c, Contact)]
    rejected = [s for s in read if isinstance(s, Skip)]
    first, last = date(2027, 1, 4), date(2027, 3, 31)
    plan = plan_campaign(contacts, config, first, last, str(path), rejected).plan
    page = report_html(
        figures(plan, "Q1", first, last, config, {}),
        jinja2.FileSystemLoader(builtin_templates_dir()),
    )
    assert len(page.encode()) < 1_000_000
    assert plan.skipped  # the lists are long, the page is not


def test_a_long_list_collapses_to_its_first_rows_with_the_count() -> None:
    skipped = [
        Skip("c.csv", line, "over capacity", "no room in Sam's calls", None, f"A-{line}",
             f"C{line}", "Sam", "upset" if line == 40 else "lapsed", Money(Decimal(line), "EUR"))
        for line in range(2, 42)
    ]  # fmt: skip
    plan = Plan(date(2027, 1, 4), (), tuple(skipped))
    data = figures(plan, "Q1", date(2027, 1, 4), date(2027, 3, 31), Config(), {})
    page = report_html(data, jinja2.FileSystemLoader(builtin_templates_dir()))
    parsed = _tables(page)
    rows = parsed.tables[parsed.summaries["no room in Sam's calls: 40 rows, 1 upset"]][1:]
    assert len(rows) == 10 and rows[0][:6] == ["40", "A-40", "C40", "Sam", "upset", "EUR 40"]
    assert "The first 10 of 40: the rest are in skipped.csv." in page


@pytest.mark.parametrize("value", ["EUR 85000.5", "JPY 9800000", "USD 0"])
def test_the_value_in_plan_csv_reads_back_the_same_whatever_the_default(value: str) -> None:
    code, amount = value.split()
    money = Money(Decimal(amount), code)
    cell = dict(
        zip(PLAN_FIELDS, plan_row(make_call(make_contact(account_value=money))), strict=True)
    )
    assert cells.parse_money(cell["account_value"], "AUD") == money


@pytest.mark.parametrize(
    ("default", "meant"), [("CAD", "CAD"), ("MXN", "MXN"), ("KWD", "USD"), ("EUR", "USD")]
)
def test_a_bare_dollar_sign_is_the_default_currency_only_when_that_is_written_with_one(
    default: str, meant: str
) -> None:
    assert cells.parse_money("$500", default) == Money(Decimal(500), meant)
