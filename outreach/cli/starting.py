"""Getting started: a new folder with settings, templates and contacts; the template catalogue."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.cli.options import config_option, load_settings, path_type, templates_option


@click.command()
@click.argument("folder", type=path_type(file_okay=False), default=".")
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
    from outreach.output.starter import init_folder

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


@click.command()
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
    from outreach.render.catalogue import describe_templates

    for line in describe_templates(load_settings(config_path), templates):
        click.echo(line)
