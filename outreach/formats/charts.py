"""The report's charts as inline SVG: no script, no network. Each comes with its figures as a
table, for screen readers and for anyone who would rather read the numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from outreach.model.money import Money, amount_text
from outreach.model.text import shown

WIDTH = 720
INK = "#1f2933"
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f6d00", "#000000")
"""Okabe and Ito's palette, told apart with any colour vision; the last two darkened."""
FUNNEL = ("planned", "made", "reached", "agreed", "won back")


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    svg: Markup
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """The chart's figures, a row each, the row's name first."""


def _svg(id: str, title: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg role="img" aria-labelledby="{id}-title" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{id}-title">{escape(title)}</title>{"".join(body)}</svg>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" font-weight="{weight}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(shown(text, 28))}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}"/>'
    )


def weekly_chart(
    weeks: Sequence[date], by_week: Mapping[date, Mapping[str, int]], plays: Sequence[str]
) -> Chart:
    """Calls per week, stacked by play."""
    title = "Calls per week, by play"
    left, plot = 40, 160
    top = 16 * (len(plays) // 5 + 1) + 10
    most = max((sum(by_week.get(w, {}).values()) for w in weeks), default=0) or 1
    step = (WIDTH - left) / max(len(weeks), 1)
    body = [_text(0, top + 4, str(most)), _text(0, top + plot, "0")]
    for i, play in enumerate(plays):
        x, row = left + i % 5 * 130, 4 + i // 5 * 16
        body.append(_rect(x, row, 10, 10, COLOURS[i % len(COLOURS)]))
        body.append(_text(x + 14, row + 9, play.replace("_", " ")))
    label_every = max(1, len(weeks) // 12)
    for n, week in enumerate(weeks):
        base = float(top + plot)
        for i, play in enumerate(plays):
            height = plot * by_week.get(week, {}).get(play, 0) / most
            if height:
                base -= height
                body.append(_rect(left + n * step + 2, base, step - 4, height, COLOURS[i % 8]))
        if n % label_every == 0:
            body.append(
                _text(left + n * step + step / 2, top + plot + 14, f"{week:%-d %b}", "middle")
            )
    rows = tuple(
        (f"{week:%-d %b %Y}", *(str(by_week.get(week, {}).get(p, 0)) for p in plays))
        for week in weeks
    )
    header = ("week of", *(p.replace("_", " ") for p in plays))
    return Chart("weekly", title, _svg("weekly", title, top + plot + 22, body), header, rows)


def value_chart(reps: Sequence[tuple[str, tuple[Money, ...]]]) -> Chart:
    """Account value in play per rep (the rep's totals per currency), a group of bars per
    currency: bars compare within a currency, never across currencies."""
    title = "Account value in play per rep, per currency"
    left, bar, width = 180, 16, WIDTH - 180 - 130
    body: list[str] = []
    rows: list[tuple[str, ...]] = []
    y = 0
    for currency in sorted({value.currency for _, values in reps for value in values}):
        amounts = [
            (rep, value.amount)
            for rep, values in reps
            for value in values
            if value.currency == currency and value.amount
        ]
        if not amounts:
            continue
        most = max(amount for _, amount in amounts)
        body.append(_text(0, y + 12, currency, weight="bold"))
        y += 18
        for rep, amount in amounts:
            length = float(width * amount / most)
            body.append(_text(0, y + 12, rep))
            body.append(_rect(left, y, length, bar, COLOURS[0]))
            body.append(_text(left + length + 6, y + 12, f"{currency} {amount_text(amount)}"))
            rows.append((rep, currency, amount_text(amount)))
            y += bar + 4
        y += 8
    svg = _svg("value", title, max(y, 1), body)
    return Chart("value", title, svg, ("rep", "currency", "value in play"), tuple(rows))


def funnel_chart(funnels: Sequence[tuple[str, tuple[int, ...]]]) -> Chart:
    """Per rep, from the calls planned to the contacts won back."""
    title = "From planned to won back, per rep"
    left, bar, width = 180, 12, WIDTH - 180 - 60
    body = []
    y = 0
    for rep, counts in funnels:
        body.append(_text(0, y + 11, rep))
        most = counts[0] or 1
        for stage, (name, count) in enumerate(zip(FUNNEL, counts, strict=True)):
            length = width * count / most
            body.append(_rect(left, y, length, bar, COLOURS[stage]))
            body.append(_text(left + length + 6, y + 10, f"{count} {name}"))
            y += bar + 2
        y += 12
    rows = tuple((rep, *map(str, counts)) for rep, counts in funnels)
    return Chart("funnel", title, _svg("funnel", title, max(y, 1), body), ("rep", *FUNNEL), rows)
