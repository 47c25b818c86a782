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
from html import escape

from outreach.model.outcomes import OUTCOMES
from outreach.model.plan import Call
from outreach.model.text import plural, shown, terminal_text
from outreach.model.zones import spoken_zone, zone_info
from outreach.render.context import hidden_variables
from outreach.render.filters import local_date, local_time, money

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

    @property
    def play_label(self) -> str:
        """`clear the air (step 2)`."""
        step = f" (step {self.step})" if self.step > 1 else ""
        return self.play.replace("_", " ") + step

    @property
    def flags_label(self) -> str:
        return ", ".join(self.flags).replace("_", " ")


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
    return shown(text if text.isprintable() else " ".join(text.split()), BRIEF_LINE)


def rep_day(start: datetime, rep_zone: str) -> date:
    """The day of the rep's sheet a call starting at `start` is on."""
    return start.astimezone(zone_info(rep_zone)).date()


def rep_days(calls: Iterable[SheetCall], rep_zone: str) -> Iterator[tuple[date, list[SheetCall]]]:
    """A rep's calls (in time order) by day, the rep's day."""
    for day, group in itertools.groupby(calls, lambda call: rep_day(call.start, rep_zone)):
        yield day, list(group)


def sheet_html(rep: str, rep_zone: str, day: date, calls: list[SheetCall]) -> str:
    """The rep's day sheet: one self-contained page, no script, to print on A4 or Letter.

    Written with f-strings rather than a Jinja template: a plan has a sheet for every rep-day,
    and this takes a quarter of the time. Every value from the CSV goes through `escape`."""
    title = f"{escape(rep)}: {plural(len(calls), 'call')} on {local_date(day)}"
    sections = "".join(_section(n, call, rep_zone) for n, call in enumerate(calls, 1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{_STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p class="sub">Times are yours ({spoken_zone(rep_zone)}) and the contact's. After each call, tick \
what happened and type it back: <code>outreach log DIR CALL-ID OUTCOME --note "…"</code></p>
{sections}</body>
</html>
"""


def _section(number: int, call: SheetCall, rep_zone: str) -> str:
    phone = (
        f'<a href="{escape(call.tel)}">{escape(call.phone)}</a>'
        if call.phone
        else "no number on file"
    )
    flags = f' <span class="flags">{escape(call.flags_label)}</span>' if call.flags else ""
    brief = "".join(f"<p>{escape(line)}</p>" for line in call.brief)
    return f"""<section class="call" aria-labelledby="c{number}">
<h2 id="c{number}"><span class="time">{local_time(call.start, rep_zone)}</span> \
{escape(call.contact_name)}, {escape(call.company)}</h2>
<table>
  <tr><th scope="row">Their time</th><td>{their_time(call)}, {call.minutes} minutes</td></tr>
  <tr><th scope="row">Play</th><td>{escape(call.play_label)}{flags}</td></tr>
  <tr><th scope="row">Phone</th><td>{phone}</td></tr>
  <tr><th scope="row">Value</th><td>{escape(call.value) or "not recorded"}</td></tr>
  <tr><th scope="row">Brief</th><td class="brief">{brief}</td></tr>
  <tr><th scope="row">Call id</th><td class="id">{escape(call.id)}</td></tr>
</table>
<fieldset>
<legend>Outcome</legend>
<ul class="outcomes">{_OUTCOME_BOXES}</ul>
</fieldset>
<div class="notes">Notes</div>
</section>
"""


_OUTCOME_BOXES = "".join(
    f'<li><span class="box" aria-hidden="true"></span>{outcome}</li>' for outcome in OUTCOMES
)
_STYLE = """\
  :root { --ink: #1f2933; --muted: #52606d; --line: #9aa5b1; }
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
         margin: 1.5rem auto; max-width: 52rem; padding: 0 1rem; overflow-wrap: anywhere; }
  h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
  .sub { color: var(--muted); margin: 0 0 1rem; }
  section.call { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .8rem; margin: 0 0 .8rem;
                 break-inside: avoid; page-break-inside: avoid; }
  h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
  h2 .time { font-variant-numeric: tabular-nums; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  th, td { text-align: left; vertical-align: top; padding: .15rem .4rem; border-top: 1px solid #d9e2ec; }
  th { width: 8.5rem; font-weight: 600; color: var(--muted); }
  td.brief p { margin: 0; }
  .id { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
  .flags { color: #8d2b0b; font-weight: 600; }
  fieldset { border: 0; padding: 0; margin: .4rem 0 0; }
  legend { font-weight: 600; color: var(--muted); padding: 0; }
  ul.outcomes { list-style: none; padding: 0; margin: .2rem 0 0; display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
  .box { display: inline-block; width: .9em; height: .9em; border: 1.5px solid var(--ink); vertical-align: -.1em; margin-right: .25em; }
  .notes { border: 1px solid var(--line); min-height: 4.5rem; margin-top: .4rem; padding: .2rem .4rem; color: var(--muted); }
  .how { color: var(--muted); font-size: .85rem; }
  @page { margin: 12mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 10pt; }
    a { color: inherit; text-decoration: none; }
  }
"""


def their_time(call: SheetCall) -> str:
    """`12:00 Sydney time`: the call's start where the contact is."""
    return f"{local_time(call.start, call.timezone)} {spoken_zone(call.timezone)}"


def agenda_lines(rep: str, rep_zone: str, day: date, calls: list[SheetCall]) -> Iterator[str]:
    """The day sheet as text for a terminal; CSV values cannot move the cursor."""
    yield terminal_text(
        f"{rep}: {plural(len(calls), 'call')} on {local_date(day)} ({spoken_zone(rep_zone)})"
    )
    for call in calls:
        flags = f"  [{call.flags_label}]" if call.flags else ""
        theirs = their_time(call)
        yield ""
        yield terminal_text(
            f"{local_time(call.start, rep_zone)}  {call.contact_name}, {call.company}"
            f"  (their time {theirs}, {call.minutes} min)"
        )
        details = [
            call.play_label,
            call.phone or "no number on file",
            f"value {call.value}" if call.value else "value not recorded",
            f"id {call.id}",
        ]
        yield terminal_text("       " + " · ".join(details) + flags)
        for line in call.brief:
            yield terminal_text(f"       {line}")
