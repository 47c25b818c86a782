"""The options the commands share, and what they mean once parsed: the settings, the run's
clock and the plan's first day."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from outreach.cli.screen import note_quiet, warn
from outreach.config.checks import LIMITS

if TYPE_CHECKING:
    from outreach.model.settings import Config


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A date as people type it: 2027-03-08, 03/08/2027, 8 March 2027, 08.03.2027.

    Checked here, read later: whether 03/08/2027 is 3 August comes from the settings
    (`input.day_first`), which are loaded after the options."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from outreach.intake.cells import parse_date

        text = str(value).strip()
        try:
            parse_date(text)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return text


def typed_day(text: str | None, config: Config) -> date | None:
    from outreach.intake.cells import parse_date

    return None if text is None else parse_date(text, config.input.day_first)


def plan_start(text: str | None, config: Config, now: datetime) -> date:
    """The plan's first day: as given (with a warning when it is already past), or the next
    business day."""
    from outreach.app import default_start

    start = typed_day(text, config)
    if start is None:
        return default_start(now, config)
    if start < now.astimezone(ZoneInfo(config.schedule.timezone)).date():
        warn(f"the plan starts on {start.isoformat()}, which is in the past")
    return start


def path_type(**kwargs: Any) -> click.Path:
    return click.Path(path_type=Path, **kwargs)


contacts_argument = click.argument(
    "contacts", type=path_type(dir_okay=False), metavar="CONTACTS.csv"
)
config_option = click.option(
    "--config",
    "config_path",
    type=path_type(dir_okay=False),
    help="Settings file. Default: outreach.toml in the current folder, if there is one.",
)
start_option = click.option(
    "--start", type=DateType(), help="First day of the plan. Default: the next business day."
)
out_option = click.option(
    "--out",
    required=True,
    type=path_type(file_okay=False),
    help="Folder to write into; created if missing.",
)
templates_option = click.option(
    "--templates",
    type=path_type(file_okay=False, exists=True),
    help="Folder of your own templates; they replace built-ins of the same file name.",
)
invites_option = click.option(
    "--invites",
    is_flag=True,
    help="Also write invitation drafts (.eml) proposing calls to lapsed contacts.",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that holds other files (left alone), and replace files you edited.",
)
now_option = click.option(
    "--now",
    type=click.DateTime(
        [
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M%z",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d",
        ]
    ),
    help="The run's clock, for reproducible files (or set SOURCE_DATE_EPOCH). Default: now.",
)
timezone_option = click.option(
    "--timezone", help="Zone for contacts and reps that name none (IANA name)."
)
calls_option = click.option(
    "--calls-per-day",
    type=click.IntRange(1, LIMITS["schedule.calls_per_day"]),
    help="Most calls one rep makes on one day.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes to schedule and write with. Default: one per core (a small plan uses one).",
)


outcomes_option = click.option(
    "--outcomes",
    "outcome_files",
    multiple=True,
    type=path_type(dir_okay=False),
    help="A file of call outcomes (id, outcome, at, note, callback; as log --from reads), "
    "repeatable: each contact goes on from what happened on their calls.",
)
quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    callback=note_quiet,
    help="Print errors only (rejected rows among them): no progress, warnings or summary.",
)


def load_settings(config_path: Path | None, **overrides: Any) -> Config:
    from outreach.config import find_config, load_config, with_overrides

    return with_overrides(load_config(find_config(config_path, Path.cwd())), **overrides)


def run_clock(now: datetime | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds' convention), else the real time;
    in the years dates may fall in."""
    from outreach.intake.cells import YEARS, in_range

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
