"""A rep's command after the call: what happened on it, or on many, into DIR/outcomes.csv."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.options import (
    config_option,
    load_settings,
    now_option,
    path_type,
    quiet_option,
    run_clock,
)
from outreach.model.text import terminal_text
from outreach.output.folder import OUTCOMES as OUTCOMES_FILE

if TYPE_CHECKING:
    from outreach.model.outcomes import CallOutcome
    from outreach.model.settings import Config

_PARAMETERS = {
    "id": "'CALL_ID'",
    "outcome": "'OUTCOME'",
    "at": "'--at'",
    "callback": "'--callback'",
    "promise": "'--promise'",
    "due": "'--due'",
}
"""The parameter each field of an outcome is typed in, for a message."""


@click.command("log")
@click.argument("folder", metavar="DIR", type=path_type(file_okay=False, exists=True))
@click.argument("call_id", required=False)
@click.argument("outcome", required=False)
@click.option(
    "--from",
    "source",
    type=path_type(dir_okay=False),
    help="A CSV of outcomes to record instead: columns id and outcome, and optionally at, "
    "note, callback, promise and due (plan.csv with an outcome column filled in works).",
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
@click.option(
    "--promise",
    "promises",
    multiple=True,
    metavar="TEXT",
    help="What was promised on an apology reached or agreed (or a follow-up declined), for "
    "the follow-up to check; repeatable, each with its --due.",
)
@click.option(
    "--due",
    "dues",
    multiple=True,
    metavar="DATE",
    help="The date the promise of the same place is due by (2027-03-20); the follow-up is "
    "planned the business day after the last.",
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
    promises: tuple[str, ...],
    dues: tuple[str, ...],
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
      outreach log out 5654638b2c408a80f4f5 agreed --promise "Credit of 10%" --due 2027-03-20
      outreach log out --from calls.csv
    """
    from outreach.app import log_outcome
    from outreach.intake.outcomes import Problem

    config = load_settings(config_path)
    clock = run_clock(now)
    if source is not None and (call_id or at or note or callback or promises or dues):
        raise click.UsageError("--from reads every outcome from the file: give it alone")
    if source is None and (call_id is None or outcome is None):
        raise click.UsageError("give CALL_ID and OUTCOME, or --from FILE.csv")
    if source is not None:
        _log_file(folder, source, config, clock, quiet)
    else:
        try:
            logged, added = log_outcome(
                folder,
                config,
                clock,
                call_id or "",
                outcome or "",
                at,
                note,
                callback,
                promises,
                dues,
            )
        except Problem as problem:
            raise click.BadParameter(str(problem), param_hint=_PARAMETERS[problem.field]) from None
        if not quiet:
            click.echo(
                f"{'Recorded' if added else 'Already recorded'}: {_described(logged)}; "
                f"in {folder / OUTCOMES_FILE}"
            )


def _log_file(folder: Path, source: Path, config: Config, clock: datetime, quiet: bool) -> None:
    from outreach.app import log_outcome_file

    tally = log_outcome_file(folder, source, config, clock)
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
    promised = "".join(f"; promised {p.text!r} by {p.due}" for p in logged.promises)
    return terminal_text(
        f"{logged.outcome}{callback}, {logged.play} call to "
        f"{logged.contact_name} ({logged.account_id}) at {logged.at.isoformat()}{promised}"
    )
