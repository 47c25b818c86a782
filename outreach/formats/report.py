"""The campaign report: one self-contained HTML page a manager would rather look at than read,
and the same totals as a table for the terminal. Every input row is on it: planned, or under
the kind of skip that kept it from a call."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import jinja2

from outreach.formats.charts import Chart, funnel_chart, value_chart, weekly_chart
from outreach.formats.results import RepResults
from outreach.model.money import Money, totals
from outreach.model.plan import LateApology, Plan, late_apologies
from outreach.model.plays import PLAYS
from outreach.model.records import STOPPED, Skip, SkipKind
from outreach.model.settings import Config
from outreach.model.text import terminal_text
from outreach.planning.capacity import WeekLoad, monday_of, mondays, rep_day, weekly_load

REPORT_TEMPLATE = "report.html.j2"
SHOWN_ROWS = 10
"""Rows of a group of skipped rows listed on the page; skipped.csv has them all."""
KIND_ORDER: tuple[SkipKind, ...] = (
    "rejected",
    "over capacity",
    *STOPPED,
    "dropped",
    "not due",
    "suppressed",
)
"""The kinds of rows without a call, those a manager must act on first."""


@dataclass(frozen=True, slots=True)
class RepTotals:
    rep: str
    calls: int
    contacts: int
    value: tuple[Money, ...]
    """The value of the accounts the rep calls in the window, each account once, per currency."""
    over_capacity: int
    late: int
    """Apologies later than one business day after the start (rule 2)."""
    outside_hours: int
    """Calls outside the rep's working hours (inside the contact's)."""
    calendar: str | None


@dataclass(frozen=True, slots=True)
class SkipGroup:
    """Rows of one kind without a call for one reason (or, rejected, one field)."""

    title: str
    rows: tuple[Skip, ...]
    """Upset rows first, then by line."""

    @property
    def upset(self) -> int:
        return sum(s.status == "upset" for s in self.rows)

    @property
    def shown(self) -> tuple[Skip, ...]:
        return self.rows[:SHOWN_ROWS]


@dataclass(frozen=True, slots=True)
class SkipKindGroup:
    kind: str
    groups: tuple[SkipGroup, ...]
    """Those with the most upset rows first, then the largest."""

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def upset(self) -> int:
        return sum(g.upset for g in self.groups)


@dataclass(frozen=True, slots=True)
class Figures:
    name: str
    first: date
    last: date
    weeks: tuple[date, ...]
    """Monday of each week the window touches."""
    load: Mapping[str, Mapping[date, WeekLoad]]
    """Rep → Monday → the rep's calls that week against the rep's capacity."""
    plays: Mapping[str, int]
    reps: tuple[RepTotals, ...]
    planned_rows: int
    """Input rows (contacts) with at least one call."""
    without_call: tuple[SkipKindGroup, ...]
    """Every other input row, by kind."""
    advice: tuple[str, ...]
    charts: tuple[Chart, ...]
    late: tuple[LateApology, ...] = ()
    """Apologies later than one business day after the start, shown first (rule 2)."""
    results: tuple[RepResults, ...] = ()
    """What the calls made came to, per rep, when the campaign read outcomes."""

    @property
    def late_shown(self) -> tuple[LateApology, ...]:
        return self.late[:SHOWN_ROWS]

    @property
    def total_calls(self) -> int:
        return sum(r.calls for r in self.reps)

    @property
    def total_value(self) -> tuple[Money, ...]:
        return totals(value for r in self.reps for value in r.value)

    @property
    def rows(self) -> int:
        return self.planned_rows + sum(k.count for k in self.without_call)

    def skipped(self, kind: str) -> int:
        return sum(k.count for k in self.without_call if k.kind == kind)

    @property
    def upset_without_call(self) -> int:
        return sum(k.upset for k in self.without_call if k.kind != "suppressed")

    @property
    def outside_hours(self) -> int:
        return sum(r.outside_hours for r in self.reps)


def figures(
    plan: Plan,
    name: str,
    first: date,
    last: date,
    config: Config,
    calendars: Mapping[str, str],
    advice: tuple[str, ...] = (),
    results: tuple[RepResults, ...] = (),
) -> Figures:
    values: dict[str, dict[str, Money]] = defaultdict(dict)
    contacts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    flagged: dict[str, Counter[str]] = defaultdict(Counter)
    weekly_plays: dict[date, Counter[str]] = defaultdict(Counter)
    calls = Counter(call.owner for call in plan.calls)
    for call in plan.calls:
        contacts[call.owner].add(call.contact.key)
        flagged[call.owner].update(call.flags)
        weekly_plays[monday_of(rep_day(call, config))][call.play] += 1
        value = call.contact.account_value
        known = values[call.owner].get(call.contact.account_id)
        if value is not None and (known is None or value.amount > known.amount):
            values[call.owner][call.contact.account_id] = value
    over = Counter(s.owner or "" for s in plan.skipped if s.kind == "over capacity")
    reps = sorted(set(contacts) | set(over))
    load = weekly_load(plan.calls, reps, first, last, config)
    weeks = mondays(first, last)
    rep_totals = tuple(
        RepTotals(
            rep,
            calls[rep],
            len(contacts[rep]),
            totals(values[rep].values()),
            over[rep],
            flagged[rep]["late"],
            flagged[rep]["outside_rep_hours"],
            calendars.get(rep),
        )
        for rep in reps
    )
    plays: dict[str, int] = {
        play: n for play in PLAYS if (n := sum(c.play == play for c in plan.calls))
    }
    planned = len({c.contact.line for c in plan.calls})
    charts = [
        weekly_chart(weeks, weekly_plays, tuple(plays)),
        value_chart([(r.rep, r.value) for r in rep_totals]),
    ]
    if results:
        charts.append(funnel_chart(_funnels(rep_totals, results)))
    return Figures(
        name=name,
        first=first,
        last=last,
        weeks=weeks,
        load=load,
        plays=plays,
        reps=rep_totals,
        planned_rows=planned,
        without_call=tuple(_by_kind(plan.skipped)),
        advice=advice,
        charts=tuple(charts),
        late=tuple(late_apologies(plan.calls)),
        results=results,
    )


def _funnels(
    reps: Iterable[RepTotals], results: Iterable[RepResults]
) -> list[tuple[str, tuple[int, ...]]]:
    """Per rep: calls planned (made and to come), made, reached, agreed, won back."""
    planned = {r.rep: r.calls for r in reps}
    return [
        (
            r.rep,
            (
                planned.get(r.rep, 0) + r.made,
                r.made,
                r.reached,
                sum(n for _, counts in r.by_play for outcome, n in counts if outcome == "agreed"),
                r.won_back,
            ),
        )
        for r in results
    ]


def _by_kind(skipped: Iterable[Skip]) -> Iterator[SkipKindGroup]:
    kinds: dict[str, list[Skip]] = defaultdict(list)
    for skip in skipped:
        kinds[skip.kind].append(skip)
    for kind in KIND_ORDER:
        if kinds[kind]:
            yield SkipKindGroup(kind, _groups(kinds[kind], _group_key(kind)))


def _group_key(kind: str) -> Callable[[Skip], str]:
    """Over capacity and suppressed rows go together by reason (one per rep, one per status);
    the others by field, as their reasons quote each row's cell, date or outcome."""
    if kind in ("over capacity", "suppressed"):
        return lambda s: s.reason
    return lambda s: s.field or kind


def _groups(rows: list[Skip], key: Callable[[Skip], str]) -> tuple[SkipGroup, ...]:
    grouped: dict[str, list[Skip]] = defaultdict(list)
    for skip in rows:
        grouped[key(skip)].append(skip)
    groups = [
        SkipGroup(title, tuple(sorted(rows, key=lambda s: (s.status != "upset", s.line))))
        for title, rows in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.upset, -len(g.rows), g.title)))


def report_html(data: Figures, templates: jinja2.BaseLoader) -> str:
    # Autoescaping on: every CSV value reaches the page as text, never as markup.
    environment = jinja2.Environment(
        loader=templates,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["money"] = lambda values: ", ".join(map(str, values))
    # At most 55% of the load colour: dark text keeps a contrast above 6:1 on every cell.
    environment.filters["shade"] = lambda load: f"{0.04 + 0.51 * min(load.share, 1):.2f}"
    return environment.get_template(REPORT_TEMPLATE).render(f=data)


def totals_table(data: Figures) -> Iterator[str]:
    """The report's totals, for the end of a terminal run: a line per currency of a rep's
    accounts, as amounts in different currencies are not added."""
    rows: list[tuple[str, ...]] = [("rep", "calls", "contacts", "value in play", "over capacity")]
    for r in data.reps:
        rows += _money_rows(
            (terminal_text(r.rep), str(r.calls), str(r.contacts)),
            r.value,
            str(r.over_capacity or ""),
        )
    total = (str(data.total_calls), str(sum(r.contacts for r in data.reps)))
    over = str(data.skipped("over capacity") or "")
    total_rows = _money_rows(("total", *total), data.total_value, over)
    rows += total_rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
        ]
        yield "  ".join(cells).rstrip()
        if index == 0 or index == len(rows) - len(total_rows) - 1:
            yield "  ".join("-" * w for w in widths)


def _money_rows(
    first: tuple[str, ...], values: tuple[Money, ...], last: str
) -> list[tuple[str, ...]]:
    """A table row, and one more for each further currency (its other cells empty)."""
    texts = [str(value) for value in values] or [""]
    blank = ("",) * len(first)
    return [(*first, texts[0], last), *((*blank, text, "") for text in texts[1:])]
