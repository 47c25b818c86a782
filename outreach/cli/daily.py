"""A rep's commands: check a file, print the plan, write the calls, preview one account."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.cli.options import (
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
    path_type,
    plan_start,
    quiet_option,
    run_clock,
    start_option,
    templates_option,
    timezone_option,
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
from outreach.model.plays import PLAYS

if TYPE_CHECKING:
    from outreach.model.plan import Call, LateApology

# Each command imports the stages it runs when it runs: `outreach COMMAND --help` loads none.


@click.command()
@contacts_argument
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object with the counts and every rejection (line, field, reason).",
)
@quiet_option
def check(contacts: Path, config_path: Path | None, fmt: str, quiet: bool) -> None:
    """Validate a contacts file without planning anything.

    Prints one line per rejected row (file:line: field: reason) and a count.
    Exits 0 when every row is valid, 1 otherwise.

    \b
    Example:
      outreach check contacts.csv
      outreach check contacts.csv --format json
    """
    from outreach.app import check_file
    from outreach.formats.tables import skip_json

    config = load_settings(config_path)
    with progress_bar("Checking rows", None, quiet or fmt == "json") as progress:
        report = check_file(contacts, config, progress)
    if fmt == "json":
        body = {
            "file": report.file,
            "rows": report.rows,
            "valid": report.to_call,
            "suppressed": report.suppressed,
            "rejected": [skip_json(s) for s in report.rejected],
        }
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        for skip in report.rejected:
            click.echo(skip.message())
        if not quiet:
            click.echo(report.line())
    if report.rejected:
        raise SystemExit(1)


@click.command()
@contacts_argument
@config_option
@start_option
@timezone_option
@calls_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv and json carry every field, for other tools.",
)
@outcomes_option
@jobs_option
@now_option
@quiet_option
def plan(
    contacts: Path,
    config_path: Path | None,
    start: str | None,
    timezone: str | None,
    calls_per_day: int | None,
    fmt: str,
    outcome_files: tuple[Path, ...],
    jobs: int | None,
    now: datetime | None,
    quiet: bool,
) -> None:
    """Print the plan of calls without writing any file.

    A table by default (the rep's and the contact's local times, play, company,
    contact); csv or json with the fields id, owner, account_id, company,
    contact_name, phone, tel, play, step, start, end, timezone, flags,
    account_value. Rejected and dropped rows are summarised on stderr; the exit
    status is 1 when a row was rejected.

    \b
    Example:
      outreach plan contacts.csv --start 2027-03-08
      outreach plan contacts.csv --format csv > plan.csv
      outreach plan contacts.csv --outcomes calls.csv
    """
    from outreach.app import rep_parts, roster_file
    from outreach.formats.tables import (
        PLAN_FIELDS,
        csv_text,
        json_calls,
        plan_json_text,
        plan_table,
    )
    from outreach.model.plan import late_apologies
    from outreach.output.logged import Logged

    config = load_settings(config_path, timezone=timezone, calls_per_day=calls_per_day)
    clock = run_clock(now)
    logged = Logged(outcome_files)
    roster = roster_file(contacts, config, plan_start(start, config, clock), clock, logged)
    warn_unknown_reps(roster.reps, config)
    late: list[LateApology] = []
    if fmt == "json":
        parts = rep_parts(roster, json_calls, jobs, late)
        for chunk in plan_json_text(roster.start, parts, roster.skipped):
            click.echo(chunk, nl=False)
        click.echo()
    elif fmt == "csv":
        click.echo(next(csv_text(PLAN_FIELDS, [])), nl=False)
        for chunk in rep_parts(roster, _plan_csv_rows, jobs, late):
            click.echo(chunk, nl=False)
    else:  # the columns' widths are the widest cell's of the whole plan
        whole = roster.plan()
        late = late_apologies(whole.calls)
        for line in plan_table(whole, config):
            click.echo(line)
    echo_unread(logged.rejected)
    echo_skipped(roster.skipped)
    echo_late(late)
    exit_for([*logged.rejected, *roster.skipped])


def _plan_csv_rows(calls: list[Call]) -> str:
    from outreach.formats.tables import PLAN_FIELDS, csv_rows, plan_row

    return csv_rows(PLAN_FIELDS, map(plan_row, calls))


@click.command()
@contacts_argument
@out_option
@config_option
@start_option
@templates_option
@invites_option
@click.option(
    "--previous",
    type=path_type(file_okay=False, exists=True),
    help="Output folder of an earlier run: keep its event UIDs, cancel calls that disappeared, "
    "and go on from the outcomes in its outcomes.csv.",
)
@outcomes_option
@force_option
@now_option
@timezone_option
@calls_option
@jobs_option
@quiet_option
def generate(
    contacts: Path,
    out: Path,
    config_path: Path | None,
    start: str | None,
    templates: Path | None,
    invites: bool,
    previous: Path | None,
    outcome_files: tuple[Path, ...],
    force: bool,
    now: datetime | None,
    timezone: str | None,
    calls_per_day: int | None,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Write call scripts, calendars, plan.csv and skipped.csv: the main job.

    \b
    Example:
      outreach generate contacts.csv --out out
      outreach generate contacts.csv --out out --invites --templates my-templates
      outreach generate contacts.csv --out out --previous out --force
    """
    from outreach.app import generate_files, roster_file
    from outreach.formats.results import contact_owners, results
    from outreach.output.generate import Options
    from outreach.output.logged import Logged
    from outreach.output.previous import read_previous
    from outreach.summary import made_lines, run_lines

    config = load_settings(config_path, timezone=timezone, calls_per_day=calls_per_day)
    clock = run_clock(now)
    earlier = read_previous(previous) if previous else {}
    logged = Logged(outcome_files, earlier, previous)
    roster = roster_file(contacts, config, plan_start(start, config, clock), clock, logged)
    with progress_bar("Writing calls", roster.call_count, quiet) as progress, writing_into(out):
        options = Options(
            out=out,
            now=clock,
            templates=templates,
            invites=invites,
            force=force,
            previous=logged.still_planned(),
            previous_folder=previous,
            progress=progress,
            jobs=jobs,
        )
        summary = generate_files(roster, config, options)
    warn_unknown_reps(roster.reps, config)
    for warning in summary.warnings:
        warn(warning)
    echo_unread(logged.rejected)
    echo_skipped(roster.skipped)
    echo_late(summary.late)
    if not quiet:
        for line in run_lines(summary, out):
            click.echo(line)
        known = ((a.contact.key, rep) for rep, assigned in roster.by_rep.items() for a in assigned)
        owners = contact_owners(known, roster.skipped)
        for line in made_lines(results(logged.outcomes, owners, roster.skipped)):
            click.echo(line)
    exit_for([*logged.rejected, *roster.skipped])


@click.command()
@contacts_argument
@click.option("--account", required=True, help="The account_id whose scripts to show.")
@click.option("--contact", help="Only this contact (name, any case).")
@click.option("--play", type=click.Choice(PLAYS), help="Only this play.")
@config_option
@start_option
@templates_option
@now_option
def preview(
    contacts: Path,
    account: str,
    contact: str | None,
    play: str | None,
    config_path: Path | None,
    start: str | None,
    templates: Path | None,
    now: datetime | None,
) -> None:
    """Print the call scripts of one account, to try a template change.

    \b
    Example:
      outreach preview contacts.csv --account A-1001 --play apology
      outreach preview contacts.csv --account A-1001 --templates my-templates
    """
    from outreach.app import plan_file
    from outreach.model.text import terminal_lines
    from outreach.render.preview import preview_scripts
    from outreach.summary import no_match_reason

    config = load_settings(config_path)
    clock = run_clock(now)
    the_plan = plan_file(contacts, config, plan_start(start, config, clock), clock)
    scripts = preview_scripts(the_plan, config, templates, account, contact, play)
    if not scripts:
        raise click.ClickException(no_match_reason(the_plan, str(contacts), account, contact, play))
    click.echo(terminal_lines("\n---\n\n".join(scripts)), nl=False)
