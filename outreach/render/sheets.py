"""A rep's day on paper and in the terminal: the day's calls in time order, each with the
times, phone, value, a three-line brief and boxes to tick an outcome, so that a printed sheet
can be typed back with `outreach log`.

The brief follows the scripts' rule 8: a play whose template may not see the incident does
not show it here either (`hidden_variables`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import jinja2

from outreach.model.outcomes import OUTCOMES
from outreach.model.plan import Call
from outreach.model.text import plural, shown, terminal_text
from outreach.model.zones import spoken_zone, zone_info
from outreach.render.context import hidden_variables
from outreach.render.filters import local_date, local_time, money
from outreach.render.templates import builtin_templates_dir

SHEET_TEMPLATE = "day-sheet.html.j2"
BRIEF_LINE = 160
"""Characters a line of the brief is cut to: three lines stay three lines on paper."""
NOT_RECORDED = "not recorded: find out before you call"


@dataclass(frozen=True, slots=True)
class SheetCall:
    """One call as a day sheet shows it: from a planned call, or read back from plan.csv."""

    id: str
    play: str
    step: int
    company: str
    contact_name: str
    phone: str
    tel: str
    value: str
    """The account's value as shown; empty when the row had none."""
    brief: tuple[str, ...]
    start: datetime
    """In the contact's zone."""
    timezone: str
    """The contact's."""
    minutes: int
    flags: tuple[str, ...]


def sheet_call(call: Call) -> SheetCall:
    contact = call.contact
    return SheetCall(
        id=call.id,
        play=call.play,
        step=call.step,
        company=contact.company,
        contact_name=contact.contact_name,
        phone=contact.dial.international if contact.dial else "",
        tel=contact.dial.tel if contact.dial else "",
        value=money(contact.account_value),
        brief=brief(call),
        start=call.start,
        timezone=call.timezone,
        minutes=call.minutes,
        flags=call.flags,
    )


def brief(call: Call) -> tuple[str, str, str]:
    """What the call is about, the history, and the notes: one line each."""
    contact = call.contact
    hidden = hidden_variables(call.play)
    if "incident" not in hidden:
        when = f" ({local_date(contact.incident_date)})" if contact.incident_date else ""
        about = f"{contact.status.capitalize()}: {contact.incident or NOT_RECORDED}{when}"
    elif "changes_made" not in hidden:
        about = f"Check it was done: {contact.changes_made or NOT_RECORDED}"
    elif call.play == "small_step" and contact.low_risk_offer:
        about = f"Propose: {contact.low_risk_offer}"
    else:
        about = "About what comes next: do not bring up the past problem"
    history = [
        contact.contact_title,
        f"last contact {local_date(contact.last_contact)}" if contact.last_contact else None,
        plural(contact.attempts, "earlier attempt") if contact.attempts else None,
        f"handed over from {call.handover_from}" if call.handover_from else None,
    ]
    return (
        _line(about),
        _line("; ".join(part for part in history if part) or "No history on file"),
        _line(contact.notes or "No notes"),
    )


def _line(text: str) -> str:
    """One line of the brief, however many a CSV cell held: a brief is three lines."""
    return shown(" ".join(text.split()), BRIEF_LINE)


def rep_day(start: datetime, rep_zone: str) -> date:
    """The day of the rep's sheet a call starting at `start` is on."""
    return start.astimezone(zone_info(rep_zone)).date()


def rep_days(calls: Iterable[SheetCall], rep_zone: str) -> Iterator[tuple[date, list[SheetCall]]]:
    """A rep's calls (in time order) by day, the rep's day."""
    for day, group in itertools.groupby(calls, lambda call: rep_day(call.start, rep_zone)):
        yield day, list(group)


@cache
def _environment() -> jinja2.Environment:
    # Autoescaping on: every CSV value reaches the page as text, never as markup.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        local_date=local_date, local_time=local_time, spoken_zone=spoken_zone
    )
    return environment


def sheet_html(rep: str, rep_zone: str, day: date, calls: list[SheetCall]) -> str:
    """The rep's day sheet: one self-contained page, no script, to print on A4 or Letter."""
    template = _environment().get_template(SHEET_TEMPLATE)
    return template.render(rep=rep, rep_zone=rep_zone, day=day, calls=calls, outcomes=OUTCOMES)


def agenda_lines(rep: str, rep_zone: str, day: date, calls: list[SheetCall]) -> Iterator[str]:
    """The day sheet as text for a terminal; CSV values cannot move the cursor."""
    yield terminal_text(
        f"{rep}: {plural(len(calls), 'call')} on {local_date(day)} ({spoken_zone(rep_zone)})"
    )
    for call in calls:
        flags = f"  [{', '.join(call.flags).replace('_', ' ')}]" if call.flags else ""
        theirs = f"{local_time(call.start, call.timezone)} {spoken_zone(call.timezone)}"
        yield ""
        yield terminal_text(
            f"{local_time(call.start, rep_zone)}  {call.contact_name}, {call.company}"
            f"  (their time {theirs}, {call.minutes} min)"
        )
        step = f" (step {call.step})" if call.step > 1 else ""
        details = [
            call.play.replace("_", " ") + step,
            call.phone or "no number on file",
            f"value {call.value}" if call.value else "value not recorded",
            f"id {call.id}",
        ]
        yield terminal_text("       " + " · ".join(details) + flags)
        for line in call.brief:
            yield terminal_text(f"       {line}")
