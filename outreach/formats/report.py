"""The campaign report: one self-contained HTML page a manager would rather look at than read,
and the same totals as a table for the terminal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import jinja2

from outreach.formats.results import RepResults
from outreach.model.plan import Call, LateApology, Plan, late_apologies
from outreach.model.plays import PLAYS
from outreach.model.records import STOPPED, Skip
from outreach.model.text import terminal_text

REPORT_TEMPLATE = "report.html.j2"


@dataclass(frozen=True, slots=True)
class RepTotals:
    rep: str
    calls: int
    contacts: int
    value: Decimal
    """The total value of the accounts the rep calls in the window, each account once."""
    over_capacity: int
    calendar: str | None


@dataclass(frozen=True, slots=True)
class Figures:
    name: str
    first: date
    last: date
    weeks: tuple[date, ...]
    """Monday of each week the window touches."""
    load: Mapping[str, Mapping[date, int]]
    """Rep → Monday → calls that week."""
    busiest_week: int
    plays: Mapping[str, int]
    reps: tuple[RepTotals, ...]
    over_capacity: tuple[Skip, ...]
    dropped: tuple[Skip, ...]
    advice: tuple[str, ...]
    late: tuple[LateApology, ...] = ()
    """Apologies later than one business day after the start, shown first (rule 2)."""
    results: tuple[RepResults, ...] = ()
    """What the calls made came to, per rep, when the campaign read outcomes."""
    stopped: tuple[Skip, ...] = ()
    """Contacts whose calls an outcome stopped: unreachable, refused, wrong number, left."""

    @property
    def total_calls(self) -> int:
        return sum(r.calls for r in self.reps)

    @property
    def total_value(self) -> Decimal:
        return sum((r.value for r in self.reps), Decimal(0))


def figures(
    plan: Plan,
    name: str,
    first: date,
    last: date,
    calendars: Mapping[str, str],
    advice: tuple[str, ...] = (),
    results: tuple[RepResults, ...] = (),
) -> Figures:
    monday = first - timedelta(days=first.weekday())
    weeks = tuple(monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1))
    load: dict[str, Counter[date]] = defaultdict(Counter)
    values: dict[str, dict[str, Decimal]] = defaultdict(dict)
    contacts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for call in plan.calls:
        day = call.start.date()
        load[call.owner][day - timedelta(days=day.weekday())] += 1
        contacts[call.owner].add(call.contact.key)
        values[call.owner][call.contact.account_id] = max(
            values[call.owner].get(call.contact.account_id, Decimal(0)), _value(call)
        )
    over = tuple(s for s in plan.skipped if s.kind == "over capacity")
    stranded = Counter(s.owner for s in over)
    reps = sorted(set(load) | {s.owner or "" for s in over})
    return Figures(
        name=name,
        first=first,
        last=last,
        weeks=weeks,
        load={rep: dict(load[rep]) for rep in reps},
        busiest_week=max((n for rep in load.values() for n in rep.values()), default=0),
        plays={play: n for play in PLAYS if (n := sum(c.play == play for c in plan.calls))},
        reps=tuple(
            RepTotals(
                rep,
                sum(load[rep].values()),
                len(contacts[rep]),
                sum(values[rep].values(), Decimal(0)),
                stranded[rep],
                calendars.get(rep),
            )
            for rep in reps
        ),
        over_capacity=over,
        dropped=tuple(s for s in plan.skipped if s.kind == "dropped"),
        advice=advice,
        late=tuple(late_apologies(plan.calls)),
        results=results,
        stopped=tuple(s for s in plan.skipped if s.kind in STOPPED),
    )


def _value(call: Call) -> Decimal:
    return call.contact.account_value or Decimal(0)


def report_html(data: Figures, templates: jinja2.BaseLoader) -> str:
    # Autoescaping on: every CSV value reaches the page as text, never as markup.
    environment = jinja2.Environment(
        loader=templates,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["money"] = lambda amount: f"{amount:,.0f}"
    environment.filters["shade"] = lambda n: (
        f"{0.08 + 0.72 * n / data.busiest_week:.2f}" if n else "0"
    )
    return environment.get_template(REPORT_TEMPLATE).render(f=data)


def totals_table(data: Figures) -> Iterator[str]:
    """The report's totals, for the end of a terminal run."""
    rows = [("rep", "calls", "contacts", "value in play", "over capacity")]
    rows += [
        (
            terminal_text(r.rep),
            str(r.calls),
            str(r.contacts),
            f"{r.value:,.0f}",
            str(r.over_capacity or ""),
        )
        for r in data.reps
    ]
    rows.append(
        (
            "total",
            str(data.total_calls),
            str(sum(r.contacts for r in data.reps)),
            f"{data.total_value:,.0f}",
            str(len(data.over_capacity) or ""),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
        ]
        yield "  ".join(cells).rstrip()
        if index == 0 or index == len(rows) - 2:
            yield "  ".join("-" * w for w in widths)
