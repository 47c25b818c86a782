"""The `outreach` command group: every error becomes one `Error:` line and its exit status."""

from __future__ import annotations

import errno
from typing import Any, NoReturn

import click

from outreach import __version__
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
    show_logged_warnings()


def main() -> None:
    cli(prog_name="outreach")
