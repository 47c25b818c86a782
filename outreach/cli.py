"""The command line: options in, one pipeline call, a summary out. Nothing else lives here."""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo

import click

from outreach import __version__
from outreach.app import (
    check_file,
    default_start,
    generate_files,
    plan_file,
    rep_parts,
    roster_file,
    run_campaign,
)
from outreach.config import LIMITS, find_config, load_config, with_overrides
from outreach.errors import (
    INTERNAL_ERROR,
    OutreachError,
    bug_report,
    explained,
    save_bug_report,
    system_fault,
)
from outreach.formats.report import totals_table
from outreach.formats.tables import (
    PLAN_FIELDS,
    csv_rows,
    csv_text,
    json_calls,
    plan_json_text,
    plan_row,
    plan_table,
    skip_json,
)
from outreach.intake.cells import YEARS, in_range, parse_date
from outreach.model.plan import Call, LateApology, Plan, late_apologies
from outreach.model.plays import PLAYS
from outreach.model.records import Skip
from outreach.model.settings import Config
from outreach.model.text import terminal_lines, terminal_text
from outreach.output.generate import Options, preview_scripts
from outreach.output.previous import read_previous
from outreach.output.starter import init_folder
from outreach.planning.campaign import campaign_window
from outreach.render.catalogue import describe_templates
from outreach.summary import late_lines, no_match_reason, run_lines, skipped_lines

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

PROGRESS_FROM = 300
"""Runs over this many rows or calls show a progress bar on a terminal."""


class _Cli(click.Group):
    """Turns every error into one `Error: …` line and its exit status: an OutreachError or a
    fault of the system (disk full, permission denied) into 2, Ctrl-C into 130, and anything
    else, a bug, into INTERNAL_ERROR with its traceback kept for a report."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutreachError as error:
            _fail(ctx, explained(error), error.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, None, 130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except OSError as error:
            if error.errno == errno.EPIPE:  # click's main says nothing of a closed pipe
                raise
            _fail(ctx, str(system_fault(error)), 2)
        except Exception as error:
            _bug(ctx, error)


def _fail(ctx: click.Context, message: str | None, status: int) -> NoReturn:
    click.echo("Interrupted." if message is None else f"Error: {message}", err=True)
    ctx.exit(status)


def _bug(ctx: click.Context, error: Exception) -> NoReturn:
    summary, details = bug_report(error)
    if ctx.params.get("debug"):
        click.echo(details, err=True, nl=False)
        where = "above"
    else:
        try:
            where = f"in {save_bug_report(details)}"
        except OSError:  # no temporary folder to write to: the traceback goes to the screen
            click.echo(details, err=True, nl=False)
            where = "above"
    _fail(
        ctx,
        f"internal error, a bug in outreach: {terminal_text(summary)}. The full traceback is "
        f"{where} (--debug prints it); please report it with the command you ran",
        INTERNAL_ERROR,
    )


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
@click.option(
    "--debug", is_flag=True, help="On an internal error, print the full traceback to stderr."
)
def cli(debug: bool) -> None:
    """Plan win-back calls for upset and lapsed accounts.

    Reads a CRM export of accounts, decides which calls each contact needs and when,
    and writes call scripts and calendar files. It never sends anything.

    \b
    Exit status:
      0    done; every row valid
      1    done, but some rows were rejected (or preview found no call)
      2    usage, settings, file or output-folder error, or a fault of the
           system (disk full, permission denied): one Error: line
      70   internal error, a bug in outreach: the traceback is saved (see --debug)
      130  interrupted (Ctrl-C)
    """
    _show_logged_warnings()


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A date as people type it: 2027-03-08, 03/08/2027, 8 March 2027, 08.03.2027.

    Checked here, read later: whether 03/08/2027 is 3 August comes from the settings
    (`input.day_first`), which are loaded after the options."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        try:
            parse_date(text)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return text


def _day(text: str | None, config: Config) -> date | None:
    return None if text is None else parse_date(text, config.input.day_first)


def _start(text: str | None, config: Config, now: datetime) -> date:
    """The plan's first day: as given (with a warning when it is already past), or the next
    business day."""
    start = _day(text, config)
    if start is None:
        return default_start(now, config)
    if start < now.astimezone(ZoneInfo(config.schedule.timezone)).date():
        _warn(f"the plan starts on {start.isoformat()}, which is in the past")
    return start


def _path(**kwargs: Any) -> click.Path:
    return click.Path(path_type=Path, **kwargs)


contacts_argument = click.argument("contacts", type=_path(dir_okay=False), metavar="CONTACTS.csv")
config_option = click.option(
    "--config", "config_path", type=_path(dir_okay=False),
    help="Settings file. Default: outreach.toml in the current folder, if there is one.",
)  # fmt: skip
start_option = click.option(
    "--start", type=DateType(), help="First day of the plan. Default: the next business day."
)
out_option = click.option(
    "--out",
    required=True,
    type=_path(file_okay=False),
    help="Folder to write into; created if missing.",
)
templates_option = click.option(
    "--templates", type=_path(file_okay=False, exists=True),
    help="Folder of your own templates; they replace built-ins of the same file name.",
)  # fmt: skip
invites_option = click.option(
    "--invites",
    is_flag=True,
    help="Also write invitation drafts (.eml) proposing calls to lapsed contacts.",
)
force_option = click.option(
    "--force", is_flag=True,
    help="Write into a folder that holds other files (left alone), and replace files you edited.",
)  # fmt: skip
now_option = click.option(
    "--now", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S",
                                   "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="The run's clock, for reproducible files (or set SOURCE_DATE_EPOCH). Default: now.",
)  # fmt: skip
timezone_option = click.option(
    "--timezone", help="Zone for contacts and reps that name none (IANA name)."
)
calls_option = click.option(
    "--calls-per-day",
    type=click.IntRange(1, LIMITS["schedule.calls_per_day"]),
    help="Most calls one rep makes on one day.",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1),
    help="Processes to schedule and write with. Default: one per core (a small plan uses one).",
)  # fmt: skip


_QUIET = "outreach.quiet"
"""Where --quiet is noted in the command's context, for the warnings and skipped rows."""


def _hush(ctx: click.Context, param: click.Parameter, quiet: bool) -> bool:
    ctx.meta[_QUIET] = quiet
    return quiet


quiet_option = click.option(
    "--quiet", "-q", is_flag=True, callback=_hush,
    help="Print errors only (rejected rows among them): no progress, warnings or summary.",
)  # fmt: skip


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(_QUIET))


def _config(config_path: Path | None, **overrides: Any) -> Config:
    return with_overrides(load_config(find_config(config_path, Path.cwd())), **overrides)


def _clock(now: datetime | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds' convention), else the real time;
    in the years dates may fall in."""
    if now is not None:
        try:
            in_range(now, now.isoformat())
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'--now'") from None
        return now if now.tzinfo else now.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise click.BadParameter(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds"
            ) from None
        try:
            return in_range(datetime.fromtimestamp(seconds, UTC), epoch)
        except (ValueError, OverflowError, OSError):
            raise click.BadParameter(
                f"SOURCE_DATE_EPOCH={epoch!r} is outside the years {YEARS[0]} to {YEARS[1]}"
            ) from None
    return datetime.now(UTC)


def _color() -> bool | None:
    """No colour where NO_COLOR is set (no-color.org); otherwise click decides (terminals only)."""
    return False if os.environ.get("NO_COLOR") else None


class _Bar:
    """A progress bar on stderr, redrawn at most every REFRESH seconds: a bar when the length
    is known, else a count (click takes an iterable without a length for that). A count
    appears only once it passes PROGRESS_FROM, so a short run shows nothing but its result."""

    REFRESH = 0.1
    """Seconds between redraws: a redraw per row would cost more than the row."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label, self.total = label, total
        self.bar: ProgressBar[None] | None = None
        self.seen = self.pending = 0
        self.drawn = 0.0

    def begin(self) -> None:
        """A bar of known length shows at once; a count waits for PROGRESS_FROM items."""
        if self.total is not None:
            self._show()

    def _show(self) -> None:
        counting = self.total is None  # a count, since a bar of unknown length says nothing
        self.bar = click.progressbar(
            _unsized(), length=self.total, label=self.label, file=sys.stderr, color=_color(),
            show_pos=counting, bar_template="%(label)s  %(info)s" if counting else "%(label)s  [%(bar)s]  %(info)s",
        )  # fmt: skip
        self.bar.pos, self.pending = self.seen, 0
        self.bar.__enter__()

    def update(self, steps: int) -> None:
        if self.bar is not None and not self.seen and steps:
            # The time to the first item (scheduling, starting workers) says nothing of the
            # rest: the estimate of the time left starts from here.
            self.bar.start = self.bar.last_eta = time.time()
        self.seen += steps
        self.pending += steps
        if self.bar is None:
            if self.seen < PROGRESS_FROM:
                return
            self._show()
        now = time.monotonic()
        if now - self.drawn >= self.REFRESH and self.bar is not None:
            self.drawn = now
            self.bar.update(self.pending)
            self.pending = 0

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.pending)
            self.bar.render_finish()


def _unsized() -> Iterator[None]:
    """An iterable without a length hint: a bar that counts instead of measuring."""
    yield from ()


@contextmanager
def _progress(
    label: str, count: Callable[[], int] | None, quiet: bool
) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs on a terminal; nothing when piped or quiet.
    `count` gives the bar's length (asked only when a bar may be shown); without it the bar
    counts."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    total = count() if count else None
    if total is not None and total < PROGRESS_FROM:
        yield None
        return
    bar = _Bar(label, total)
    try:  # drawing may be interrupted (Ctrl-C) too: the bar is closed, and the cursor shown
        bar.begin()
        yield bar.update
    finally:
        bar.close()


@contextmanager
def _writing_into(folder: Path) -> Iterator[None]:
    """A fault of the system met while writing to an open file (disk full) names no file:
    it is named by the folder being written."""
    try:
        yield
    except OSError as error:
        if error.filename is None and error.errno != errno.EPIPE:
            error.filename = str(folder)
        raise


class _WarningLines(logging.Handler):
    """What the stages log as a warning (a phone number to check) as a `Warning:` line."""

    def emit(self, record: logging.LogRecord) -> None:
        _warn(record.getMessage())


def _show_logged_warnings() -> None:
    logger = logging.getLogger("outreach")
    if not any(isinstance(handler, _WarningLines) for handler in logger.handlers):
        logger.addHandler(_WarningLines(logging.WARNING))
        logger.propagate = False


def _warn(message: str) -> None:
    if _quiet():
        return
    click.echo(
        click.style(f"Warning: {terminal_text(message)}", fg="yellow"), err=True, color=_color()
    )


def _warn_unknown_reps(reps: Iterable[str], config: Config) -> None:
    unknown = sorted(set(reps) - config.reps.keys())
    where = config.source if config.reps or config.source.endswith(".toml") else "outreach.toml"
    if unknown:
        names = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        _warn(
            f'no settings for {names} ([reps."Name"] in {where}): their calls are '
            f"planned in {config.schedule.timezone} hours, and they get no invitation drafts"
        )


def _owners(plan: Plan) -> set[str]:
    return {call.owner for call in plan.calls}


def _echo_skipped(skipped: Sequence[Skip]) -> None:
    for line in skipped_lines(skipped, only_rejected=_quiet()):
        click.echo(line, err=True)


def _echo_late(late: Sequence[LateApology]) -> None:
    """Rule 2's alarm on stderr; under --quiet, plan.csv's `late` flag and the summary keep it."""
    if _quiet():
        return
    for line in late_lines(late):
        click.echo(line, err=True)


def _exit_for(skipped: Sequence[Skip]) -> None:
    if any(skip.kind == "rejected" for skip in skipped):
        raise SystemExit(1)


@cli.command()
@contacts_argument
@config_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="json: one object with the counts and every rejection (line, field, reason).",
)  # fmt: skip
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
    config = _config(config_path)
    with _progress("Checking rows", None, quiet or fmt == "json") as progress:
        report = check_file(contacts, config, progress)
    if fmt == "json":
        body = {"file": report.file, "rows": report.rows, "valid": report.to_call,
                "suppressed": report.suppressed, "rejected": [skip_json(s) for s in report.rejected]}  # fmt: skip
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        for skip in report.rejected:
            click.echo(skip.message())
        if not quiet:
            click.echo(report.line())
    if report.rejected:
        raise SystemExit(1)


@cli.command()
@contacts_argument
@config_option
@start_option
@timezone_option
@calls_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True, help="csv and json carry every field, for other tools.",
)  # fmt: skip
@jobs_option
@now_option
@quiet_option
def plan(contacts: Path, config_path: Path | None, start: str | None, timezone: str | None,
         calls_per_day: int | None, fmt: str, jobs: int | None, now: datetime | None,
         quiet: bool) -> None:  # fmt: skip
    """Print the plan of calls without writing any file.

    A table by default (the rep's and the contact's local times, play, company,
    contact); csv or json with the fields id, owner, account_id, company,
    contact_name, phone, tel, play, step, start, end, timezone, flags. Rejected and
    dropped rows are summarised on stderr; the exit status is 1 when a row was
    rejected.

    \b
    Example:
      outreach plan contacts.csv --start 2027-03-08
      outreach plan contacts.csv --format csv > plan.csv
    """
    config = _config(config_path, timezone=timezone, calls_per_day=calls_per_day)
    clock = _clock(now)
    roster = roster_file(contacts, config, _start(start, config, clock), clock)
    _warn_unknown_reps(roster.reps, config)
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
    _echo_skipped(roster.skipped)
    _echo_late(late)
    _exit_for(roster.skipped)


def _plan_csv_rows(calls: list[Call]) -> str:
    return csv_rows(PLAN_FIELDS, map(plan_row, calls))


@cli.command()
@contacts_argument
@out_option
@config_option
@start_option
@templates_option
@invites_option
@click.option(
    "--previous", type=_path(file_okay=False, exists=True),
    help="Output folder of an earlier run: keep its event UIDs, cancel calls that disappeared.",
)  # fmt: skip
@force_option
@now_option
@timezone_option
@calls_option
@jobs_option
@quiet_option
def generate(contacts: Path, out: Path, config_path: Path | None, start: str | None,
             templates: Path | None, invites: bool, previous: Path | None, force: bool,
             now: datetime | None, timezone: str | None, calls_per_day: int | None,
             jobs: int | None, quiet: bool) -> None:  # fmt: skip
    """Write call scripts, calendars, plan.csv and skipped.csv: the main job.

    \b
    Example:
      outreach generate contacts.csv --out out
      outreach generate contacts.csv --out out --invites --templates my-templates
      outreach generate contacts.csv --out out --previous out --force
    """
    config = _config(config_path, timezone=timezone, calls_per_day=calls_per_day)
    clock = _clock(now)
    roster = roster_file(contacts, config, _start(start, config, clock), clock)
    with _progress("Writing calls", roster.call_count, quiet) as progress, _writing_into(out):
        options = Options(out=out, now=clock, templates=templates, invites=invites, force=force,
                          previous=read_previous(previous) if previous else {}, progress=progress,
                          jobs=jobs)  # fmt: skip
        summary = generate_files(roster, config, options)
    _warn_unknown_reps(roster.reps, config)
    for warning in summary.warnings:
        _warn(warning)
    _echo_skipped(roster.skipped)
    _echo_late(summary.late)
    if not quiet:
        for line in run_lines(summary, out):
            click.echo(line)
    _exit_for(roster.skipped)


@cli.command()
@contacts_argument
@click.option("--account", required=True, help="The account_id whose scripts to show.")
@click.option("--contact", help="Only this contact (name, any case).")
@click.option("--play", type=click.Choice(PLAYS), help="Only this play.")
@config_option
@start_option
@templates_option
@now_option
def preview(contacts: Path, account: str, contact: str | None, play: str | None,
            config_path: Path | None, start: str | None, templates: Path | None,
            now: datetime | None) -> None:  # fmt: skip
    """Print the call scripts of one account, to try a template change.

    \b
    Example:
      outreach preview contacts.csv --account A-1001 --play apology
      outreach preview contacts.csv --account A-1001 --templates my-templates
    """
    config = _config(config_path)
    clock = _clock(now)
    the_plan = plan_file(contacts, config, _start(start, config, clock), clock)
    scripts = preview_scripts(the_plan, config, templates, account, contact, play)
    if not scripts:
        raise click.ClickException(no_match_reason(the_plan, str(contacts), account, contact, play))
    click.echo(terminal_lines("\n---\n\n".join(scripts)), nl=False)


@cli.command()
@contacts_argument
@click.option("--quarter", help="The quarter to plan, like 2027Q1 or 2027-Q1.")
@click.option("--from", "first", type=DateType(), help="First day of another window (with --to).")
@click.option("--to", "last", type=DateType(), help="Last day of the window (with --from).")
@out_option
@config_option
@templates_option
@invites_option
@force_option
@now_option
@calls_option
@jobs_option
@quiet_option
def campaign(contacts: Path, quarter: str | None, first: str | None, last: str | None, out: Path,
             config_path: Path | None, templates: Path | None, invites: bool, force: bool,
             now: datetime | None, calls_per_day: int | None, jobs: int | None, quiet: bool) -> None:  # fmt: skip
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
    config = _config(config_path, calls_per_day=calls_per_day)
    clock = _clock(now)
    try:
        window = campaign_window(quarter, _day(first, config), _day(last, config))
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
    with _progress("Writing calls", None, quiet) as progress, _writing_into(out):
        options = Options(out=out, now=clock, templates=templates, invites=invites, force=force,
                          progress=progress, jobs=jobs)  # fmt: skip
        run = run_campaign(contacts, config, *window, options)
    _warn_unknown_reps(_owners(run.campaign.plan), config)
    for warning in run.summary.warnings:
        _warn(warning)
    _echo_skipped(run.campaign.plan.skipped)
    _echo_late(run.summary.late)
    if not quiet:
        click.echo(f"Campaign {run.campaign.name}")
        for line in totals_table(run.figures):
            click.echo(line)
        for shortfall in run.campaign.shortfalls:
            click.echo(f"Over capacity: {terminal_text(shortfall.advice())}")
        for line in run_lines(run.summary, out):
            click.echo(line)
        click.echo(f"Report: {out / 'report.html'}   For the CRM: {out / 'accounts.next.csv'}")
    _exit_for(run.campaign.plan.skipped)


@cli.command()
@click.argument("folder", type=_path(file_okay=False), default=".")
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
@templates_option
@config_option
def templates(templates: Path | None, config_path: Path | None) -> None:
    """List the plays, the template each uses and the variables it gets.

    The incident fields are not given to the plays after the apology: they
    never bring it up again (rule 8), so their templates cannot use them.

    \b
    Example:
      outreach templates --templates my-templates
    """
    for line in describe_templates(_config(config_path), templates):
        click.echo(line)


def main() -> None:
    cli(prog_name="outreach")
