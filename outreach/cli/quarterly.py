"""A manager's command: a quarter's win-back campaign for the whole team."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.options import (
    DateType,
    calls_option,
    config_option,
    contacts_argument,
    force_option,
    invites_option,
    jobs_option,
    load_settings,
    now_option,
    out_option,
    outcomes_option,
    quiet_option,
    run_clock,
    templates_option,
    typed_day,
)
from outreach.cli.screen import (
    echo_late,
    echo_skipped,
    echo_unread,
    exit_for,
    progress_bar,
    warn,
    warn_unknown_reps,
    writing_into,
)
from outreach.model.text import terminal_text

if TYPE_CHECKING:
    from outreach.model.plan import Plan


def _owners(plan: Plan) -> set[str]:
    return {call.owner for call in plan.calls}


@click.command()
@contacts_argument
@click.option("--quarter", help="The quarter to plan, like 2027Q1 or 2027-Q1.")
@click.option("--from", "first", type=DateType(), help="First day of another window (with --to).")
@click.option("--to", "last", type=DateType(), help="Last day of the window (with --from).")
@out_option
@config_option
@templates_option
@invites_option
@force_option
@outcomes_option
@now_option
@calls_option
@jobs_option
@quiet_option
def campaign(
    contacts: Path,
    quarter: str | None,
    first: str | None,
    last: str | None,
    out: Path,
    config_path: Path | None,
    templates: Path | None,
    invites: bool,
    force: bool,
    outcome_files: tuple[Path, ...],
    now: datetime | None,
    calls_per_day: int | None,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Plan a quarter's win-back calls for the whole team, spread evenly.

    Selects the contacts due a touch in the window, spreads their calls over its
    business days, and writes what generate writes plus accounts.next.csv (the
    input with each contact's stage and next call, for the CRM) and report.html.
    Run the next quarter on accounts.next.csv to continue where this one ends.

    \b
    Example:
      outreach campaign contacts.csv --quarter 2027Q1 --out q1
      outreach campaign q1/accounts.next.csv --quarter 2027Q2 --out q2 --outcomes q1/outcomes.csv
    """
    from outreach.app import default_start, run_campaign
    from outreach.errors import OutreachError
    from outreach.formats.report import totals_table
    from outreach.output.generate import Options
    from outreach.output.logged import Logged
    from outreach.planning.campaign import campaign_window
    from outreach.summary import made_lines, run_lines

    config = load_settings(config_path, calls_per_day=calls_per_day)
    clock = run_clock(now)
    try:
        window = campaign_window(quarter, typed_day(first, config), typed_day(last, config))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    tomorrow = default_start(clock, config)
    if window[1] < tomorrow:  # an empty folder would say nothing of why
        raise OutreachError(
            f"the window {window[0].isoformat()}..{window[1].isoformat()} is over: the first day "
            f"a call can be planned is {tomorrow.isoformat()} (the run's clock: "
            f"{clock.isoformat(timespec='minutes')}); choose a later window, or --now for another clock"
        )
    if window[0] < tomorrow:  # a quarter under way: no call is planned for a day already gone
        window = (tomorrow, window[1])
    with progress_bar("Writing calls", None, quiet) as progress, writing_into(out):
        options = Options(
            out=out,
            now=clock,
            templates=templates,
            invites=invites,
            force=force,
            progress=progress,
            jobs=jobs,
        )
        logged = Logged(outcome_files)
        run = run_campaign(contacts, config, *window, options, logged)
    warn_unknown_reps(_owners(run.campaign.plan), config)
    for warning in run.summary.warnings:
        warn(warning)
    echo_unread(logged.rejected)
    echo_skipped(run.campaign.plan.skipped)
    echo_late(run.summary.late)
    if not quiet:
        click.echo(f"Campaign {run.campaign.name}")
        for line in totals_table(run.figures):
            click.echo(line)
        for shortfall in run.campaign.shortfalls:
            click.echo(f"Over capacity: {terminal_text(shortfall.advice())}")
        for line in run_lines(run.summary, out):
            click.echo(line)
        for line in made_lines(run.figures.results):
            click.echo(line)
        click.echo(f"Report: {out / 'report.html'}   For the CRM: {out / 'accounts.next.csv'}")
    exit_for([*logged.rejected, *run.campaign.plan.skipped])
