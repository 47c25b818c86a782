"""The `outreach` command group: every error becomes one `Error:` line and its exit status.

Each command's module is imported only when that command runs (or shows its --help): the
group's own --help lists them from `COMMANDS`, so `outreach --help` imports none of them."""

from __future__ import annotations

import errno
import importlib
from typing import Any, NoReturn

import click

from outreach import version
from outreach.cli.screen import show_logged_warnings
from outreach.errors import (
    INTERNAL_ERROR,
    OutreachError,
    bug_report,
    explained,
    save_bug_report,
    system_fault,
)
from outreach.model.text import terminal_text

COMMANDS: dict[str, tuple[str, str]] = {
    "agenda": (
        "outreach.cli.agenda:agenda",
        "Print a rep's calls of the day from the plan in DIR, as their day sheet (DIR/sheets/<rep>/<day>.html) shows them.",
    ),
    "campaign": (
        "outreach.cli.quarterly:campaign",
        "Plan a quarter's win-back calls for the whole team, spread evenly.",
    ),
    "check": ("outreach.cli.daily:check", "Validate a contacts file without planning anything."),
    "generate": (
        "outreach.cli.daily:generate",
        "Write call scripts, calendars, plan.csv and skipped.csv: the main job.",
    ),
    "init": (
        "outreach.cli.starting:init",
        "Start a new folder: settings, editable templates and a contacts file.",
    ),
    "log": (
        "outreach.cli.outcomes:log",
        "Record what happened on a call of the plan in DIR, in DIR/outcomes.csv.",
    ),
    "publish": (
        "outreach.cli.publishing:publish",
        "Put the calendars of a generated folder on the reps' CalDAV calendars.",
    ),
    "plan": ("outreach.cli.daily:plan", "Print the plan of calls without writing any file."),
    "preview": (
        "outreach.cli.daily:preview",
        "Print the call scripts of one account, to try a template change.",
    ),
    "templates": (
        "outreach.cli.starting:templates",
        "List the plays, the template each uses and the variables it gets.",
    ),
}
"""Command name → where its function is ("module:function") and its short help, the first
sentence of its docstring (tests/test_startup.py checks they agree). A new command is one line
here; its module defines it with `@click.command()`."""


class _Cli(click.Group):
    """Loads a command's module when the command is wanted, and turns every error into one
    `Error: …` line and its exit status: an OutreachError or a fault of the system (disk
    full, permission denied) into 2, Ctrl-C into 130, and anything else, a bug, into
    INTERNAL_ERROR with its traceback kept for a report."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, name = COMMANDS[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), f"{module}:{name} is not a command"
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's list of commands, from `COMMANDS`: no command's module is imported."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=short).get_short_help_str(limit))
            for name, (_, short) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


def _show_version(ctx: click.Context, _: click.Parameter, wanted: bool) -> None:
    if wanted and not ctx.resilient_parsing:
        click.echo(f"outreach, version {version()}")
        ctx.exit()


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
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
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
    show_logged_warnings()


def main() -> None:
    cli(prog_name="outreach")
