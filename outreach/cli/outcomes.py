"""A rep's command after the call: what happened on it, or on many, into DIR/outcomes.csv."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import click

from outreach.cli.group import cli
from outreach.cli.options import (
    config_option,
    load_settings,
    now_option,
    path_type,
    quiet_option,
    run_clock,
)
from outreach.intake.outcomes import OutcomeReader, Problem
from outreach.model.outcomes import CallOutcome
from outreach.model.records import Skip
from outreach.model.text import terminal_text
from outreach.output.folder import OUTCOMES as OUTCOMES_FILE
from outreach.output.outcomes import log_lines, outcomes_log
from outreach.output.previous import read_previous

_PARAMETERS = {
    "id": "'CALL_ID'",
    "outcome": "'OUTCOME'",
    "at": "'--at'",
    "callback": "'--callback'",
}
"""The parameter each field of an outcome is typed in, for a message."""


@cli.command("log")
@click.argument("folder", metavar="DIR", type=path_type(file_okay=False, exists=True))
@click.argument("call_id", required=False)
@click.argument("outcome", required=False)
@click.option(
    "--from",
    "source",
    type=path_type(dir_okay=False),
    help="A CSV of outcomes to record instead: columns id and outcome, and optionally at, "
    "note and callback (plan.csv with an outcome column filled in works).",
)
@click.option(
    "--at",
    default="",
    metavar="DATETIME",
    help="When the call was made, in the contact's time unless it names a UTC offset "
    "(2027-03-09 14:30). Default: the run's clock.",
)
@click.option("--note", default="", help="What was said, for whoever calls next.")
@click.option(
    "--callback",
    default="",
    metavar="DATETIME",
    help="With the outcome callback: the time the contact asked to be called at, in their time.",
)
@now_option
@config_option
@quiet_option
def log(
    folder: Path,
    call_id: str | None,
    outcome: str | None,
    source: Path | None,
    at: str,
    note: str,
    callback: str,
    now: datetime | None,
    config_path: Path | None,
    quiet: bool,
) -> None:
    """Record what happened on a call of the plan in DIR, in DIR/outcomes.csv.

    CALL_ID is the call's id in DIR/plan.csv. OUTCOME is one of reached, agreed,
    declined, voicemail, no_answer, callback, refused, wrong_number, left_company,
    won_back; or a CRM's label for one (Left Voicemail, No Answer, Connected, Not
    Interested, Callback Requested, Wrong Number, Do Not Call, in any case), or one
    the settings' [outcomes] table maps. A line already in outcomes.csv is not added
    again. With --from, lines that are wrong are listed and the others recorded; the
    exit status is then 1.

    \b
    Example:
      outreach log out 5654638b2c408a80f4f5 voicemail
      outreach log out 5654638b2c408a80f4f5 callback --callback "2027-03-11 15:00"
      outreach log out --from calls.csv
    """
    config = load_settings(config_path)
    clock = run_clock(now)
    if source is not None and (call_id or at or note or callback):
        raise click.UsageError("--from reads every outcome from the file: give it alone")
    if source is None and (call_id is None or outcome is None):
        raise click.UsageError("give CALL_ID and OUTCOME, or --from FILE.csv")
    plan = read_previous(folder, "outreach log")
    reader = OutcomeReader(plan, str(folder / "plan.csv"), config, clock)
    if source is not None:
        _log_file(folder, reader.read_file(source), str(source), clock, quiet)
    else:
        try:
            logged = reader.read(call_id or "", outcome or "", at, note, callback, default_at=clock)
            if problem := logged.against_clock(clock):
                raise Problem(*problem)
        except Problem as problem:
            raise click.BadParameter(str(problem), param_hint=_PARAMETERS[problem.field]) from None
        with outcomes_log(folder) as book:
            added = book.add(logged)
        if not quiet:
            click.echo(
                f"{'Recorded' if added else 'Already recorded'}: {_described(logged)}; "
                f"in {folder / OUTCOMES_FILE}"
            )


def _log_file(
    folder: Path,
    lines: Iterable[tuple[int, CallOutcome] | Skip],
    source: str,
    clock: datetime,
    quiet: bool,
) -> None:
    tally = log_lines(folder, lines, source, clock)
    for skip in tally.rejected:
        click.echo(skip.message(), err=True)
    if not quiet:
        click.echo(
            f"{folder / OUTCOMES_FILE}: recorded {len(tally.recorded)}, already recorded "
            f"{tally.already}, rejected {len(tally.rejected)}"
        )
    if tally.rejected:
        raise SystemExit(1)


def _described(logged: CallOutcome) -> str:
    callback = f", call back at {logged.callback.isoformat()}" if logged.callback else ""
    return terminal_text(
        f"{logged.outcome}{callback}, {logged.play} call to "
        f"{logged.contact_name} ({logged.account_id}) at {logged.at.isoformat()}"
    )
