"""The command line: options in, one pipeline call, a summary out. Nothing else lives here."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from outreach import __version__
from outreach.config import Config, find_config, load_config
from outreach.errors import OutreachError
from outreach.intake import read_contacts
from outreach.records import ACTIVE_STATUSES, Contact, Skip


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


contacts_argument = click.argument(
    "contacts", type=click.Path(path_type=Path, dir_okay=False), metavar="CONTACTS.csv"
)
config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file. Default: outreach.toml in the current folder, if there is one.",
)  # fmt: skip


def _config(config_path: Path | None) -> Config:
    return load_config(find_config(config_path, Path.cwd()))


@cli.command()
@contacts_argument
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints one object with the counts and every rejection.")  # fmt: skip
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
        click.echo(json.dumps({
            "file": str(contacts), "rows": total, "valid": active, "suppressed": suppressed,
            "rejected": [_skip_json(s) for s in rejected],
        }, indent=2))  # fmt: skip
    else:
        click.echo(
            f"{contacts}: {total} rows: {active} to call, {suppressed} suppressed "
            f"(resolved, won back or do not call), {len(rejected)} rejected."
        )
    if rejected:
        raise SystemExit(1)


def _skip_json(skip: Skip) -> dict[str, Any]:
    return {"line": skip.line, "field": skip.field, "kind": skip.kind, "reason": skip.reason,
            "account_id": skip.account_id, "contact_name": skip.contact_name}  # fmt: skip


def main() -> None:
    cli(prog_name="outreach")
