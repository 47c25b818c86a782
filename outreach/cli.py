"""The command line: options in, one pipeline call, a summary out. Nothing else lives here."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from outreach import __version__
from outreach.campaign import parse_quarter
from outreach.catalogue import describe_templates
from outreach.config import Config, find_config, load_config
from outreach.errors import OutreachError
from outreach.exports import PLAN_FIELDS, csv_text, plan_json, plan_row, plan_table, skip_json
from outreach.generate import Options, preview_scripts
from outreach.intake import read_contacts
from outreach.pipeline import default_start, generate_files, plan_file, run_campaign
from outreach.plan import PLAYS
from outreach.previous import read_previous
from outreach.records import ACTIVE_STATUSES, Contact, Skip
from outreach.report import totals_table
from outreach.starter import init_folder
from outreach.values import parse_date


class _Cli(click.Group):
    """Turns every OutreachError into one `Error: …` line and its exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutreachError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
def cli() -> None:
    """Plan win-back calls for upset and lapsed accounts.

    Reads a CRM export of accounts, decides which calls each contact needs and when,
    and writes call scripts and calendar files. It never sends anything.
    """


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A date as people type it: 2027-03-08, 03/08/2027, 8 March 2027."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value).strip())
        except ValueError as error:
            self.fail(str(error), param, ctx)


contacts_argument = click.argument(
    "contacts", type=click.Path(path_type=Path, dir_okay=False), metavar="CONTACTS.csv"
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file. Default: outreach.toml in the current folder, if there is one.",
)


def _config(config_path: Path | None) -> Config:
    return load_config(find_config(config_path, Path.cwd()))


@cli.command()
@contacts_argument
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints one object with the counts and every rejection.",
)
def check(contacts: Path, config_path: Path | None, fmt: str) -> None:
    """Validate a contacts file without planning anything.

    Prints one line per rejected row (file:line: field: reason) and a count.
    Exits 0 when every row is valid, 1 otherwise.

    \b
    Example:
      outreach check contacts.csv
    """
    config = _config(config_path)
    statuses: Counter[str] = Counter()
    rejected: list[Skip] = []
    for item in read_contacts(contacts, config):
        if isinstance(item, Contact):
            statuses[item.status] += 1
        else:
            rejected.append(item)
            if fmt == "text":
                click.echo(item.message())
    active = sum(n for status, n in statuses.items() if status in ACTIVE_STATUSES)
    suppressed = sum(statuses.values()) - active
    total = active + suppressed + len(rejected)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "file": str(contacts),
                    "rows": total,
                    "valid": active,
                    "suppressed": suppressed,
                    "rejected": [skip_json(s) for s in rejected],
                },
                indent=2,
            )
        )
    else:
        click.echo(
            f"{contacts}: {total} rows: {active} to call, {suppressed} suppressed "
            f"(resolved, won back or do not call), {len(rejected)} rejected."
        )
    if rejected:
        raise SystemExit(1)


@cli.command()
@contacts_argument
@config_option
@click.option(
    "--start", type=DateType(), help="First day of the plan. Default: the next business day."
)
@click.option("--timezone", help="Zone for contacts and reps that name none (IANA name).")
@click.option("--calls-per-day", type=click.IntRange(min=1), help="Most calls one rep makes a day.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv and json carry every field, for other tools.",
)
def plan(
    contacts: Path,
    config_path: Path | None,
    start: date | None,
    timezone: str | None,
    calls_per_day: int | None,
    fmt: str,
) -> None:
    """Print the plan of calls without writing any file.

    Rejected and dropped rows are summarised on stderr; the exit status is 1
    when any row was rejected.

    \b
    Example:
      outreach plan contacts.csv --start 2027-03-08
      outreach plan contacts.csv --format csv > plan.csv
    """
    config = _config(config_path).with_overrides(timezone=timezone, calls_per_day=calls_per_day)
    the_plan = plan_file(contacts, config, start or default_start(_clock(None), config))
    if fmt == "json":
        click.echo(plan_json(the_plan))
    elif fmt == "csv":
        for chunk in csv_text(PLAN_FIELDS, map(plan_row, the_plan.calls)):
            click.echo(chunk, nl=False)
    else:
        for line in plan_table(the_plan, config):
            click.echo(line)
    _summarise_skipped(the_plan.skipped)
    if any(skip.kind == "rejected" for skip in the_plan.skipped):
        raise SystemExit(1)


@cli.command()
@contacts_argument
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write into; created if missing.",
)
@config_option
@click.option(
    "--start", type=DateType(), help="First day of the plan. Default: the next business day."
)
@click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of your own templates; they override built-ins of the same file name.",
)
@click.option(
    "--invites", is_flag=True, help="Also write invitation drafts (.eml) for lapsed contacts."
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Output folder of an earlier run: keep its event UIDs, cancel calls that disappeared.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write beside files outreach did not write, and replace edited ones.",
)
@click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="The run's clock, for reproducible files (also SOURCE_DATE_EPOCH). Default: now.",
)
@click.option("--timezone", help="Zone for contacts and reps that name none (IANA name).")
@click.option("--calls-per-day", type=click.IntRange(min=1), help="Most calls one rep makes a day.")
def generate(
    contacts: Path,
    out: Path,
    config_path: Path | None,
    start: date | None,
    templates: Path | None,
    invites: bool,
    previous: Path | None,
    force: bool,
    now: datetime | None,
    timezone: str | None,
    calls_per_day: int | None,
) -> None:
    """Write call scripts, calendars, plan.csv and skipped.csv: the main job.

    \b
    Example:
      outreach generate contacts.csv --out out
      outreach generate contacts.csv --out out --invites --previous out
    """
    config = _config(config_path).with_overrides(timezone=timezone, calls_per_day=calls_per_day)
    clock = _clock(now)
    the_plan = plan_file(contacts, config, start or default_start(clock, config))
    options = Options(
        out=out,
        now=clock,
        templates=templates,
        invites=invites,
        force=force,
        previous=read_previous(previous) if previous else {},
    )
    summary = generate_files(the_plan, config, options)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    _summarise_skipped(the_plan.skipped)
    click.echo(f"{summary.scripts} calls for {len(summary.calls_by_rep)} reps written to {out}")
    if any(skip.kind == "rejected" for skip in the_plan.skipped):
        raise SystemExit(1)


@cli.command()
@contacts_argument
@click.option("--account", required=True, help="The account_id whose scripts to show.")
@click.option("--contact", help="Only this contact (name, any case).")
@click.option("--play", type=click.Choice(PLAYS), help="Only this play.")
@config_option
@click.option(
    "--start", type=DateType(), help="First day of the plan. Default: the next business day."
)
@click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of your own templates; they override built-ins of the same file name.",
)
def preview(
    contacts: Path,
    account: str,
    contact: str | None,
    play: str | None,
    config_path: Path | None,
    start: date | None,
    templates: Path | None,
) -> None:
    """Print the call scripts of one account, to try a template change.

    \b
    Example:
      outreach preview contacts.csv --account A-1001 --play apology
      outreach preview contacts.csv --account A-1001 --templates my-templates
    """
    config = _config(config_path)
    the_plan = plan_file(contacts, config, start or default_start(_clock(None), config))
    scripts = preview_scripts(the_plan, config, templates, account, contact, play)
    if not scripts:
        raise click.ClickException(
            f"no planned call matches account {account!r}"
            + (f", contact {contact!r}" if contact else "")
            + (f", play {play}" if play else "")
        )
    click.echo("\n---\n\n".join(scripts), nl=False)


@cli.command()
@contacts_argument
@click.option("--quarter", help="The quarter to plan, like 2027Q1 or 2027-Q1.")
@click.option("--from", "first", type=DateType(), help="First day of another window (with --to).")
@click.option("--to", "last", type=DateType(), help="Last day of the window (with --from).")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write into; created if missing.",
)
@config_option
@click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of your own templates; they override built-ins of the same file name.",
)
@click.option(
    "--invites", is_flag=True, help="Also write invitation drafts (.eml) for lapsed contacts."
)
@click.option(
    "--force",
    is_flag=True,
    help="Write beside files outreach did not write, and replace edited ones.",
)
@click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="The run's clock, for reproducible files (also SOURCE_DATE_EPOCH). Default: now.",
)
@click.option("--calls-per-day", type=click.IntRange(min=1), help="Most calls one rep makes a day.")
def campaign(
    contacts: Path,
    quarter: str | None,
    first: date | None,
    last: date | None,
    out: Path,
    config_path: Path | None,
    templates: Path | None,
    invites: bool,
    force: bool,
    now: datetime | None,
    calls_per_day: int | None,
) -> None:
    """Plan a quarter's win-back calls for the whole team, spread evenly.

    Selects the contacts due a touch in the window, spreads their calls over its
    business days, and writes what generate writes plus accounts.next.csv (the
    input with each contact's stage and next call, for the CRM) and report.html.
    Run the next quarter on accounts.next.csv to continue where this one ends.

    \b
    Example:
      outreach campaign contacts.csv --quarter 2027Q1 --out q1
      outreach campaign q1/accounts.next.csv --quarter 2027Q2 --out q2
    """
    if quarter:
        if first or last:
            raise click.UsageError("give either --quarter or --from/--to, not both")
        try:
            first, last = parse_quarter(quarter)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--quarter") from None
    elif not (first and last):
        raise click.UsageError("give --quarter (like 2027Q1), or both --from and --to")
    elif last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    config = _config(config_path).with_overrides(calls_per_day=calls_per_day)
    options = Options(out=out, now=_clock(now), templates=templates, invites=invites, force=force)
    run = run_campaign(contacts, config, first, last, options)
    for warning in run.summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    _summarise_skipped(run.campaign.plan.skipped)
    click.echo(f"Campaign {run.campaign.name}: {run.summary.scripts} calls written to {out}")
    for line in totals_table(run.figures):
        click.echo(line)
    for shortfall in run.campaign.shortfalls:
        click.echo(f"Over capacity: {shortfall.advice()}")
    click.echo(f"Report: {out / 'report.html'}   For the CRM: {out / 'accounts.next.csv'}")
    if any(skip.kind == "rejected" for skip in run.campaign.plan.skipped):
        raise SystemExit(1)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
def init(folder: Path) -> None:
    """Start a new folder: settings, editable templates and a contacts file.

    Writes FOLDER/outreach.toml (every setting, with its default and what it
    does), FOLDER/templates/ (the built-in templates, to edit) and
    FOLDER/contacts.csv (example accounts, to replace with your CRM export).
    Never replaces a file that is already there.

    \b
    Example:
      outreach init my-campaign
    """
    result = init_folder(folder)
    for path in result.written:
        click.echo(f"wrote {path}")
    for path in result.kept:
        click.echo(f"kept {path} (already there)")
    where = "" if folder == Path(".") else f"cd {folder}\n  "
    click.echo(
        "\nNext:\n"
        f"  {where}outreach check contacts.csv\n"
        "  outreach plan contacts.csv\n"
        "  outreach generate contacts.csv --out out --templates templates"
    )


@cli.command()
@click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of your own templates, to see which built-ins they override.",
)
@config_option
def templates(templates: Path | None, config_path: Path | None) -> None:
    """List the plays, the template each uses and the variables it gets.

    Variables marked "not given" are the incident's: the plays after the
    apology never bring it up again (rule 8), so their templates cannot use them.

    \b
    Example:
      outreach templates --templates my-templates
    """
    for line in describe_templates(_config(config_path), templates):
        click.echo(line)


def _clock(now: datetime | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds' convention), else the real time."""
    if now is not None:
        return now if now.tzinfo else now.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise click.BadParameter(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds"
            ) from None
    return datetime.now(UTC)


def _summarise_skipped(skipped: tuple[Skip, ...]) -> None:
    for skip in skipped:
        if skip.kind != "suppressed":
            click.echo(f"{skip.kind}: {skip.message()}", err=True)
    counts = Counter(skip.kind for skip in skipped)
    if counts:
        click.echo(
            "Skipped: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())), err=True
        )


def main() -> None:
    cli(prog_name="outreach")
