"""What a run says at its end: counts a person can check at a glance, and where to look next."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.formats.results import RepResults, results_lines
from outreach.model.plan import LateApology, Plan
from outreach.model.plays import PLAYS
from outreach.model.records import STOPPED, Skip, fold
from outreach.model.text import and_more, plural, shortened, terminal_text

if TYPE_CHECKING:
    from outreach.output.generate import Summary


@dataclass
class CheckReport:
    """What `check` found in a file: rows by outcome, and every rejection."""

    file: str
    to_call: int = 0
    suppressed: int = 0
    rejected: list[Skip] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.to_call + self.suppressed + len(self.rejected)

    def line(self) -> str:
        return (
            f"{self.file}: {plural(self.rows, 'row')}: {self.to_call} upset or lapsed, "
            f"{self.suppressed} suppressed (resolved, won back or do not call), "
            f"{len(self.rejected)} rejected."
        )


LISTED = 10
"""Rows listed one by one at the end of a run; the rest are counted (skipped.csv has them all)."""


def skipped_lines(skipped: Sequence[Skip], only_rejected: bool = False) -> Iterator[str]:
    """The first rows that were rejected, dropped or over capacity, one per line; then counts
    by kind and by field, which say more than a long list once there are many. Only the
    rejected rows, the input's errors, with `only_rejected` (for --quiet)."""
    shown = (
        ("rejected",)
        if only_rejected
        else ("rejected", "dropped", "review", "over capacity", *STOPPED)
    )
    notable = [skip for skip in skipped if skip.kind in shown]
    for skip in notable[:LISTED]:
        yield f"{skip.kind}: {skip.message()}"
    if len(notable) > LISTED:
        yield "…" + and_more(len(notable), LISTED)
    kinds = Counter(skip.kind for skip in skipped)
    if kinds and not only_rejected:
        parts = []
        for kind, count in sorted(kinds.items()):
            fields = Counter(skip.field or "row" for skip in skipped if skip.kind == kind)
            detail = (
                ", ".join(f"{n} {name}" for name, n in fields.most_common())
                if len(notable) > LISTED
                else ""
            )
            parts.append(
                f"{count} {kind}" + (f" ({detail})" if detail and kind != "suppressed" else "")
            )
        yield "Skipped: " + ", ".join(parts)


def made_lines(reps: Sequence[RepResults]) -> Iterator[str]:
    """What the calls made came to, a line per rep, when outcomes were read."""
    if reps:
        yield "Calls made, by rep:"
        yield from results_lines(reps)


def run_lines(summary: Summary, out: Path) -> Iterator[str]:
    """The end of a generate or campaign run: what was written, and what to do with it."""
    reps = len(summary.calls_by_rep)
    yield f"Wrote {plural(summary.scripts, 'call')} for {plural(reps, 'rep')} into {out}"
    if summary.scripts:
        plays = ", ".join(
            f"{summary.calls_by_play[p]} {p}" for p in PLAYS if summary.calls_by_play[p]
        )
        yield f"  calls:     {plays}"
        yield "  reps:      " + ", ".join(
            f"{terminal_text(rep)} {n}" for rep, n in sorted(summary.calls_by_rep.items())
        )
    if summary.late:
        yield (
            f"  late:      {plural(len(summary.late), 'apology')} later than one business day "
            f"after the start (flagged late in {out / 'plan.csv'})"
        )
    if summary.skipped_by_kind:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.skipped_by_kind.items()))
        yield f"  skipped:   {kinds} (reasons in {out / 'skipped.csv'})"
    if summary.removed:
        yield f"  removed:   {plural(len(summary.removed), 'file')} of the previous run that this one no longer writes"
    if summary.cancelled:
        yield f"  cancelled: {plural(summary.cancelled, 'call')} of the previous run, as cancelled events"
    yield f"  scripts:   {out / 'scripts'}/<rep>/"
    yield f"  sheets:    {out / 'sheets'}/<rep>/<day>.html, to print (or: outreach agenda {out})"
    if summary.invites:
        yield f"  drafts:    {plural(summary.invites, 'invitation')} in {out / 'invites'}/<rep>/send-<day>/ (nothing was sent)"
        if summary.next_send:
            now = summary.invites - summary.invites_later
            yield (
                f"             {now} to send today, {summary.invites_later} later: each on the day "
                f"its folder names, the first on {summary.next_send.isoformat()}"
            )
    yield f"  plan:      {out / 'plan.csv'}"
    if summary.calendars:
        yield "Import each rep's calendar into Google Calendar, Outlook or Apple Calendar:"
        for rep, path in summary.calendars.items():
            yield f"  {terminal_text(rep)}: {out / path}"


def no_match_reason(
    plan: Plan, file: str, account: str, contact: str | None = None, play: str | None = None
) -> str:
    """Why `preview` has no script to show: why the rows asked for got no call, or which calls
    the account has that the filters left out, or that the file has no such account."""
    wanted = fold(account)
    skips = [skip for skip in plan.skipped if fold(skip.account_id or "") == wanted]
    if contact:
        from outreach.render.preview import names

        skips = [s for s in skips if s.contact_name and names(s.contact_name, contact)]
    calls = [call for call in plan.calls if fold(call.contact.account_id) == wanted]
    if skips and not (contact is None and calls):
        reasons = [
            f"line {skip.line} ({skip.contact_name or 'no name'}): {skip.kind}: {skip.reason}"
            for skip in skips
        ]
        return terminal_text(f"account {account!r} got no call: {shortened(reasons, LISTED, '; ')}")
    if calls:
        plays: dict[str, list[str]] = {}
        for call in sorted(calls, key=lambda c: c.at):
            listed = plays.setdefault(call.contact.contact_name, [])
            if call.play not in listed:
                listed.append(call.play)
        asked = " and ".join(
            ([f"contact {contact!r}"] if contact else []) + ([f"play {play}"] if play else [])
        )
        have = "; ".join(f"{name} ({', '.join(kinds)})" for name, kinds in plays.items())
        return terminal_text(
            f"account {account!r} has no planned call for {asked}; its calls: {have}"
        )
    return terminal_text(
        f"no account {account!r} in {file} (account ids match without regard to case)"
    )


LATE_LISTED = 5
"""Late apologies named one by one on stderr; plan.csv flags them all, report.html lists them."""


def late_lines(late: Sequence[LateApology]) -> Iterator[str]:
    """The first few contacts whose apology is later than one business day after the start
    (rule 2: the load pushed it back), one line each; then how many more."""
    for apology in late[:LATE_LISTED]:
        start = apology.start
        yield (
            f"late apology: {terminal_text(apology.contact_name)} "
            f"({terminal_text(apology.company)}, {terminal_text(apology.account_id)}, "
            f"line {apology.line}): {start:%a %Y-%m-%d %H:%M} {start.tzname()}, "
            f"{terminal_text(apology.owner)}'s first free slot"
        )
    if len(late) > LATE_LISTED:
        last = late[-1].start
        yield f"…{and_more(len(late), LATE_LISTED)} late apologies, the last on {last:%a %Y-%m-%d}"
