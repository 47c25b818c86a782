"""`outreach publish`: a generated folder's calendars put on the reps' CalDAV calendars."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from outreach.cli.options import config_option, load_settings, path_type, quiet_option
from outreach.cli.screen import progress_bar
from outreach.model.text import terminal_text


@click.command()
@click.argument("folder", type=path_type(file_okay=False, exists=True), metavar="DIR")
@click.option(
    "--url",
    help="Each rep's calendar on the CalDAV server, with {rep} for the name of their "
    'calendars/<rep>.ics. A rep\'s own [reps."Name"] caldav_url comes first.',
)
@click.option(
    "--user",
    help="User name on the server. The password comes from OUTREACH_CALDAV_PASSWORD or the "
    "system keyring, never from the command line.",
)
@click.option("--force", is_flag=True, help="Replace events that were also changed on the server.")
@click.option(
    "--delete-cancelled",
    is_flag=True,
    help="Delete calls no longer planned, instead of marking them cancelled.",
)
@config_option
@quiet_option
def publish(
    folder: Path,
    url: str | None,
    user: str | None,
    force: bool,
    delete_cancelled: bool,
    config_path: Path | None,
    quiet: bool,
) -> None:
    """Put the calendars of a generated folder on the reps' CalDAV calendars.

    Creates each call's event, updates what changed since the last publish, and
    cancels the calls no longer planned; leaves alone what did not change and
    every event outreach did not create. An event changed both in the files and
    on the server (a rep moved it) is a conflict: reported and kept, unless
    --force. Exits 1 when there are conflicts.

    \b
    Example:
      export OUTREACH_CALDAV_PASSWORD=...   # an app password
      outreach publish out --url 'https://cloud.example.com/remote.php/dav/calendars/manager/{rep}/' --user manager
    """
    from outreach.app import calendars_to_publish, publish_folder
    from outreach.output.publish import PASSWORD_VARIABLE, Target

    if url is not None and ("{rep}" not in url or not url.startswith(("https://", "http://"))):
        raise click.BadParameter(
            "must be an http(s) URL holding {rep}, like https://dav.example.com/calendars/{rep}/",
            param_hint="'--url'",
        )
    if url is not None and "@" in urlsplit(url).netloc:
        raise click.BadParameter(
            f"holds a user name or password: use --user, and {PASSWORD_VARIABLE} or the keyring",
            param_hint="'--url'",
        )
    config = load_settings(config_path)
    calendars = calendars_to_publish(folder, config, url)
    target = Target(user=user, force=force, delete_cancelled=delete_cancelled)
    conflicts = 0
    events = sum(len(calendar.resources) for calendar in calendars)
    with progress_bar("Publishing", lambda: events, quiet) as progress:
        for done in publish_folder(calendars, config, target, progress):
            if not quiet:
                click.echo(terminal_text(done.line()))
            for title in done.conflicts:
                click.echo(
                    terminal_text(
                        f"Conflict: {done.rep}: {title}: changed on the server since "
                        "the last publish, and in the files; kept (--force replaces it)"
                    ),
                    err=True,
                )
            conflicts += len(done.conflicts)
    if conflicts:
        raise SystemExit(1)
