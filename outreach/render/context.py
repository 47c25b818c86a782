"""What a template may see: the variables each play gets, built from a planned call.

Rule 8 is enforced here, by construction: the plays after the apology get a context without
the incident, so no template, built-in or a user's, can bring it up again. The rep still reads
the whole history (rule 10) in the brief, rendered apart from the play's template with the
full context (BRIEF) and handed to it as finished text: rule 8 governs what the rep says,
not what the rep knows. CSV values enter only as data (never as template source) and are
made safe to place in Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from outreach.intake.cells import parse_options
from outreach.model.plan import Call
from outreach.model.plays import SILENT_PLAYS, Play
from outreach.model.settings import Config
from outreach.model.zones import zone_info
from outreach.planning.escalation import Escalation, escalation
from outreach.planning.playbook import step_offer
from outreach.render.filters import first_name

#: Every variable a template can use, and what it holds. Empty CSV cells are None.
VARIABLES: Mapping[str, str] = {
    "call": (
        "this call: play, step, start (contact's zone), rep_start (rep's zone), end, "
        "minutes, flags, handover, introduce (the new rep's first call after a handover), id"
    ),
    "brief": (
        "the account brief for the rep, already rendered from brief.md.j2 with the whole "
        "history (rule 10): print it, it is for reading, not for saying"
    ),
    "next_call": "the contact's next planned call (same fields as call), or None",
    "rep": "who makes the call: name, first_name, email, timezone",
    "previous_owner": "the rep the account was handed over from (rule 13), or None",
    "contact": (
        "the person called: name, first_name, title, email, phone (in international "
        "format), tel (its tel: URI), timezone, status, stage"
    ),
    "company": "the account's company name",
    "account_id": "the account's id in the CRM",
    "account_value": "the account's value (amount and currency, format it with |money), or None",
    "attempts": "earlier attempts to win the account back (0 when none)",
    "last_contact": "date of the last contact before this campaign, or None",
    "notes": "free notes on the account, or None",
    "low_risk_offer": (
        "the small, low-risk orders to propose (rule 9), as the CSV cell holds them: several "
        "separated by |; or None"
    ),
    "offer": (
        "the low-risk offer this call proposes: the n-th of low_risk_offer for small step n "
        "(the last one again past the end), the first on other calls; None without any"
    ),
    "extra": "CSV columns the tool does not know, by header: extra['Region']",
    "changes_made": "what changed so the problem does not happen again, or None",
    "options": "the remedies offered or promised (a list, possibly empty)",
    "promises": (
        "what was promised on the apology (or a follow-up) and is not confirmed yet: a list of "
        "text and due (a date), empty when none"
    ),
    "extra_offer": "plays.extra_offer: an approved offer to add to the options, or None",
    "fault": "'company' or 'personal' (who failed, rule 4), or None",
    "reason": "the kind of problem (delivery, billing, …), or None",
    "incident": "what went wrong, or None",
    "incident_date": "when it went wrong (a date), or None",
    "root_cause": "how it happened, or None",
    "escalation": (
        "the apology only: the manager who joins the call (rule 16), .manager, and why, "
        ".reason; or None"
    ),
}

INCIDENT = ("incident", "incident_date", "root_cause")
"""The incident itself: only the apology and the clear-the-air call speak of it."""
CAUSE = ("fault", "reason")
PROMISES = ("changes_made", "options", "promises", "extra_offer")
"""What was done about the incident: the follow-up checks it; later calls would recall the
incident through it, so they do not get it either."""

BRIEF = "brief"
"""The context the brief is rendered with: everything, whatever the call's play."""

_RULE_8 = "(rule 8: after the apology, never bring the incident up again)"
_HIDDEN_BECAUSE: Mapping[str, tuple[tuple[str, ...], str]] = {
    **{play: ((*INCIDENT, *CAUSE, *PROMISES), f"{play} calls {_RULE_8}") for play in SILENT_PLAYS},
    "follow_up": (
        INCIDENT,
        "follow_up calls (rule 8: the follow-up checks what was promised, "
        "it does not go over the incident again)",
    ),
    BRIEF: (("brief",), "the brief (rule 10: it is what the brief renders)"),
    "invite": (
        ("brief", *INCIDENT, *CAUSE, *PROMISES),
        "invitations (rule 1: an invitation only schedules the call; the problem is for the phone)",
    ),
}


def hidden_variables(play: str) -> dict[str, str]:
    """Variable → why a template for `play` (or `invite`) cannot use it."""
    names, why = _HIDDEN_BECAUSE.get(play, ((), ""))
    return dict.fromkeys(names, why)


def play_variables(play: Play | str) -> tuple[str, ...]:
    """The variables a template for `play` (or `invite`, for invitations) can use."""
    hidden = hidden_variables(play)
    return tuple(name for name in VARIABLES if name not in hidden)


@dataclass(frozen=True, slots=True)
class CallView:
    id: str
    play: str
    step: int
    start: datetime
    end: datetime
    rep_start: datetime
    minutes: int
    flags: tuple[str, ...]
    handover: bool
    introduce: bool


@dataclass(frozen=True, slots=True)
class RepView:
    name: str
    first_name: str
    email: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class PromiseView:
    text: str
    due: date


@dataclass(frozen=True, slots=True)
class ContactView:
    name: str
    first_name: str
    title: str | None
    email: str | None
    phone: str | None
    """International format: `+1 212-555-0100 ext. 12`."""
    tel: str | None
    """The `tel:` URI to link it to: `tel:+12125550100;ext=12`."""
    timezone: str
    status: str
    stage: str | None


def build_context(call: Call, next_call: Call | None, config: Config, play: str) -> dict[str, Any]:
    """The variables for rendering `call` with a template for `play` (its own, or `invite`)."""
    rep_zone = config.rep_timezone(call.owner)
    text = one_line if play == "invite" else markdown_text  # an invitation is plain text
    shared = _shared_context(call, config, rep_zone, text)
    offers = parse_options(call.contact.low_risk_offer or "")
    return without_hidden(
        {
            **shared,
            "offer": text(step_offer(offers, call.step if call.play == "small_step" else 1)),
            "call": _call_view(call, rep_zone),
            "next_call": _call_view(next_call, rep_zone) if next_call is not None else None,
            "escalation": _escalation_view(call, config, text),
        },
        play,
    )


def without_hidden(context: Mapping[str, Any], play: str) -> dict[str, Any]:
    """`context` less the variables a template for `play` does not get."""
    hidden = _HIDDEN_BECAUSE.get(play, ((), ""))[0]
    return {name: value for name, value in context.items() if name not in hidden}


def _escalation_view(
    call: Call, config: Config, safe: Callable[[str | None], str | None]
) -> Escalation | None:
    found = escalation(call, config)
    return replace(found, manager=safe(found.manager) or "") if found else None


def _shared_context(
    call: Call, config: Config, rep_zone: str, safe: Callable[[str | None], str | None]
) -> dict[str, Any]:
    """The values a contact's calls share, each made safe by `safe`: markdown_text, or one_line."""
    contact = call.contact
    rep = config.rep(call.owner)
    name = safe(contact.contact_name) or ""
    return {
        "rep": RepView(
            safe(rep.name) or "",
            first_name(safe(rep.name)),
            safe(rep.email),
            rep_zone,
        ),
        "previous_owner": safe(call.handover_from),
        "contact": ContactView(
            name=name,
            first_name=first_name(name),
            title=safe(contact.contact_title),
            email=safe(contact.email),
            phone=safe(contact.dial.international) if contact.dial else None,
            tel=contact.dial.tel if contact.dial else None,
            timezone=contact.timezone,
            status=contact.status,
            stage=safe(contact.stage),
        ),
        "company": safe(contact.company),
        "account_id": safe(contact.account_id),
        "account_value": contact.account_value,
        "attempts": contact.attempts,
        "last_contact": contact.last_contact,
        "notes": safe(contact.notes),
        "low_risk_offer": safe(contact.low_risk_offer),
        "extra": {key: safe(value) for key, value in contact.extra},
        "changes_made": safe(contact.changes_made),
        "options": [text for text in map(safe, contact.options) if text],
        "promises": [PromiseView(safe(p.text) or "", p.due) for p in contact.promises],
        "extra_offer": safe(config.plays.extra_offer),
        "fault": contact.fault,
        "reason": safe(contact.reason),
        "incident": safe(contact.incident),
        "incident_date": contact.incident_date,
        "root_cause": safe(contact.root_cause),
    }


def _call_view(call: Call, rep_zone: str) -> CallView:
    start = call.start
    return CallView(
        id=call.id,
        play=call.play,
        step=call.step,
        start=start,
        end=call.end,
        rep_start=start.astimezone(zone_info(rep_zone)),
        minutes=call.minutes,
        flags=call.flags,
        handover=call.handover,
        introduce="introduce" in call.flags,
    )


_BREAKS = "\r\n\v\f\x1c-\x1e\x85\u2028\u2029"
# A run of white space holding a line break, found from the run's first character only: tried
# from each of its characters, a long run without a break would be scanned once per character.
_LINE_BREAK = re.compile(rf"(?<!\s)\s*?[{_BREAKS}]\s*")
# What starts a Markdown block when it opens a line: heading, quote, list item, fence, rule.
_BLOCK_START = re.compile(r"#|>|[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|(?:[-*_=]\s*){3,}$|`{3}|~{3}")


# What makes inline Markdown live: links and images (`[`, `]`), raw HTML and autolinks (`<`),
# code spans, emphasis (`*`; `_` only at a word's edge, as CommonMark ignores it inside one),
# and a backslash that would escape the character after it (ours, at the value's end).
_INLINE = re.compile(r"[\[\]<`*]|\\(?=[!-/:-@\[-`{-~]|$)|(?<![^\W_])_|_(?![^\W_])")
_INLINE_CHARACTER = re.compile(r"[\[\]<`*\\_]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def markdown_text(value: str | None) -> str | None:
    """A CSV cell as one line of Markdown text that cannot open a block of its own, nor turn
    into a link, an image, HTML, code or emphasis: it reads as the text it is.

    Line breaks become ` / `, a leading `#`, `>`, list marker or fence is escaped, so a value
    can neither start a section of the script nor end the list it is printed in; the inline
    characters above get a backslash; control characters are written as escapes (`\\x1b`), so
    that a script printed on a terminal cannot drive it."""
    text = one_line(value)
    if text is None:
        return None
    if _INLINE_CHARACTER.search(text):  # a plain scan first: most values have none
        text = _INLINE.sub(r"\\\g<0>", text)
    if _BLOCK_START.match(text):
        text = "\\" + text if not text[0].isdigit() else _escape_number(text)
    return text


def one_line(value: str | None) -> str | None:
    """A CSV cell as one line of plain text (an invitation's): line breaks become ` / `,
    control characters escapes."""
    if not value:
        return None
    text = value.strip()
    if not text.isprintable():  # line breaks and controls are not: most values skip this
        text = _LINE_BREAK.sub(" / ", text)
        text = _CONTROL.sub(lambda c: c[0].encode("unicode_escape").decode(), text)
    return text or None


def _escape_number(text: str) -> str:
    """`1. Credit` → `1\\. Credit`: CommonMark escapes the list marker's punctuation."""
    digits = len(text) - len(text.lstrip("0123456789"))
    return f"{text[:digits]}\\{text[digits:]}"
