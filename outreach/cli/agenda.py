"""A rep's command on the day: the day sheet's calls, in the terminal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from outreach.cli.options import (
    DateType,
    config_option,
    load_settings,
    now_option,
    path_type,
    run_clock,
    typed_day,
)
from outreach.model.text import terminal_text


@click.command()
@click.argument("folder", metavar="DIR", type=path_type(file_okay=False, exists=True))
@click.option("--rep", help="Only this rep's calls (any case). Default: every rep's.")
@click.option("--day", type=DateType(), help="The day to show. Default: today, where the rep is.")
@now_option
@config_option
def agenda(
    folder: Path,
    rep: str | None,
    day: str | None,
    now: datetime | None,
    config_path: Path | None,
) -> None:
    """Print a rep's calls of the day from the plan in DIR, as their day sheet
    (DIR/sheets/<rep>/<day>.html) shows them.

    Each call shows the rep's time and the contact's, the play, phone, value, a
    three-line brief and the call id to log its outcome with (outreach log DIR ID
    OUTCOME).

    \b
    Example:
      outreach agenda out --rep "Marcus Chen"
      outreach agenda out --day 2027-03-09
    """
    from outreach.app import agenda as day_sheets
    from outreach.render.filters import local_date
    from outreach.render.sheets import agenda_lines

    config = load_settings(config_path)
    days = day_sheets(folder, config, run_clock(now), rep, typed_day(day, config))
    for index, sheet in enumerate(days):
        if index:
            click.echo()
        if sheet.calls:
            for line in agenda_lines(sheet.rep, sheet.zone, sheet.day, sheet.calls):
                click.echo(line)
        else:
            after = f"; next calls on {local_date(sheet.next_day)}" if sheet.next_day else ""
            click.echo(terminal_text(f"{sheet.rep}: no calls on {local_date(sheet.day)}{after}"))
