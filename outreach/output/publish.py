"""A generated folder's calendars put on the reps' calendars on a CalDAV server: the network
edge, as `confined` is the file system's.

Per rep: one REPORT lists what the calendar holds (MKCALENDAR first if it is missing), then
each event of the rep's file is created, updated, cancelled or deleted as
`formats.resources.action` decides: a new one with `If-None-Match: *`, a known one with
`If-Match` its ETag, so a change made on the server in between is a conflict, not lost.
Each write stands on its own: a run stopped half-way leaves every event either as it was or
as the files say, and the next run finishes the job.

caldav (and the HTTP stack under it) is imported when a run starts, not with the module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from outreach.errors import InputError, OutreachError
from outreach.formats.calendars import calendar_name
from outreach.formats.resources import Held, Resource, action, calendar_resources, held_event
from outreach.model.settings import Config
from outreach.model.text import plural, terminal_text
from outreach.output.confined import ConfinedFolder
from outreach.output.paths import UnsafePath

if TYPE_CHECKING:
    from caldav.davclient import DAVClient

PASSWORD_VARIABLE = "OUTREACH_CALDAV_PASSWORD"
TIMEOUT = 30
"""Seconds to wait for the server's answer to one request."""
_LISTING = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""
_NEW_CALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>{name}</D:displayname></D:prop></D:set>
</C:mkcalendar>"""
_CALENDAR_TYPE = "text/calendar; charset=utf-8"
_SYSTEM_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")]+)|(Failed to resolve '[^']+')")


class PublishError(OutreachError):
    """A rep's calendar could not be published: the server, the password, the calendar."""

    def __init__(self, rep: str, url: str, reason: str) -> None:
        super().__init__(terminal_text(f"publishing {rep}'s calendar to {url}: {reason}"))


@dataclass(frozen=True, slots=True)
class Target:
    """Who publishes, and what may be replaced or removed."""

    user: str | None = None
    force: bool = False
    delete_cancelled: bool = False


@dataclass(slots=True)
class RepPublished:
    rep: str
    url: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    conflicts: list[str] = field(default_factory=list)
    """The conflicting events' titles: changed both in the files and on the server."""

    def line(self) -> str:
        return (
            f"{self.rep}: {self.created} created, {self.updated} updated, {self.unchanged} "
            f"unchanged, {self.cancelled} cancelled, {plural(len(self.conflicts), 'conflict')} "
            f"({self.url})"
        )


@dataclass(frozen=True, slots=True)
class RepCalendar:
    rep: str
    url: str
    resources: list[Resource]


def caldav_password(user: str | None, url: str) -> str | None:
    """The password for `user`: OUTREACH_CALDAV_PASSWORD, else the system keyring (service:
    the server's host name) when the optional `keyring` package is installed."""
    if user is None:
        return None
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(urlsplit(url).hostname or url, user)
    except KeyringError:
        return None


def rep_calendars(folder: Path, config: Config, url: str | None) -> list[RepCalendar]:
    """Every rep's calendar file in `folder/calendars`, read and checked before anything is
    sent, with the URL it goes to."""
    try:
        files = ConfinedFolder(folder)
    except OSError as error:
        raise InputError(folder, f"cannot open the folder: {error.strerror or error}") from None
    calendars = []
    with closing(files):
        try:
            names = [name for name in files.names("calendars") if name.endswith(".ics")]
        except (FileNotFoundError, UnsafePath):
            names = []
        if not names:
            raise InputError(
                folder / "calendars",
                "no calendars here: publish takes the folder generate or campaign wrote",
            )
        for name in names:
            source = str(folder / "calendars" / name)
            rep, resources = calendar_resources(
                files.read(f"calendars/{name}"), source, config.calendar.uid_domain
            )
            settings = config.reps.get(rep)
            where = settings.caldav_url if settings and settings.caldav_url else url
            if where is None:
                raise InputError(
                    source,
                    f'no --url, and no caldav_url for {rep} ([reps."{rep}"] in {config.source})',
                )
            calendar_url = where.replace("{rep}", quote(name.removesuffix(".ics"), safe=""))
            calendars.append(RepCalendar(rep, calendar_url.rstrip("/") + "/", resources))
    return calendars


def publish(
    calendars: list[RepCalendar],
    config: Config,
    target: Target,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RepPublished]:
    """Each rep's events published, a rep at a time; PublishError names the rep and URL of
    the first that cannot be."""
    from caldav.davclient import DAVClient
    from caldav.lib.error import DAVError

    clients: dict[tuple[str, str], DAVClient] = {}  # one per server: it signs in once
    try:
        for calendar in calendars:
            where = urlsplit(calendar.url)
            try:
                client = clients.get((where.scheme, where.netloc))
                if client is None:
                    password = _password(calendar, target.user)
                    client = DAVClient(
                        url=calendar.url, username=target.user, password=password, timeout=TIMEOUT
                    )
                    clients[where.scheme, where.netloc] = client
                yield _publish_rep(client, calendar, config, target, progress)
            except (DAVError, OSError) as error:  # the HTTP stack's errors are OSErrors too
                raise PublishError(
                    calendar.rep, calendar.url, _reason(error, target.user)
                ) from None
    finally:
        for client in clients.values():
            client.close()


def _password(calendar: RepCalendar, user: str | None) -> str | None:
    password = caldav_password(user, calendar.url)
    if user is not None and password is None:
        host = urlsplit(calendar.url).hostname
        raise PublishError(
            calendar.rep,
            calendar.url,
            f"no password for {user}: set {PASSWORD_VARIABLE}, or store it with "
            f"`keyring set {host} {user}` (pip install 'outreach[keyring]')",
        )
    return password


def _publish_rep(
    client: DAVClient,
    calendar: RepCalendar,
    config: Config,
    target: Target,
    progress: Callable[[int], None] | None,
) -> RepPublished:
    held = _held(client, calendar, config.calendar.uid_domain)
    done = RepPublished(calendar.rep, calendar.url)
    for resource in calendar.resources:
        server = held.get(resource.uid)
        decided = action(resource, server, force=target.force, delete=target.delete_cancelled)
        if decided in ("create", "update", "cancel"):
            href = server.href if server else urljoin(calendar.url, resource.name)
            match = {"If-Match": server.etag} if server and server.etag else {}
            guard = match if server else {"If-None-Match": "*"}
            status = _send(client, calendar, "PUT", href, resource.body, guard)
        elif decided == "delete" and server is not None:
            match = {"If-Match": server.etag} if server.etag else {}
            status = _send(client, calendar, "DELETE", server.href, b"", match)
        else:
            status = 0
        if status == 412:  # changed on the server since the listing
            decided = "conflict"
        if decided == "conflict":
            done.conflicts.append(resource.summary)
        elif decided == "create":
            done.created += 1
        elif decided == "update":
            done.updated += 1
        elif decided in ("cancel", "delete"):
            done.cancelled += 1
        elif decided == "unchanged":
            done.unchanged += 1
        if progress:
            progress(1)
    return done


def _held(client: DAVClient, calendar: RepCalendar, uid_domain: str) -> dict[str, Held]:
    """Our events in the rep's calendar by UID, the calendar made first if it is missing."""
    response = client.report(calendar.url, _LISTING, depth=1)
    if response.status == 404:
        made = client.mkcalendar(
            calendar.url,
            _NEW_CALENDAR.format(name=escape(calendar_name(calendar.rep), quote=False)),
        )
        if made.status not in (200, 201):
            raise PublishError(
                calendar.rep,
                calendar.url,
                f"the calendar is missing and the server would not create it (HTTP {made.status}); "
                "create it in the calendar's web page and run again",
            )
        return {}
    if response.status != 207:
        raise PublishError(
            calendar.rep, calendar.url, f"not a CalDAV calendar (HTTP {response.status})"
        )
    held: dict[str, Held] = {}
    for result in response.parse_calendar_query():
        if result.calendar_data:
            href = urljoin(calendar.url, result.href)
            found = held_event(href, result.etag, result.calendar_data, uid_domain)
            if found:
                held[found[0]] = found[1]
    return held


def _send(
    client: DAVClient,
    calendar: RepCalendar,
    method: str,
    href: str,
    body: bytes,
    headers: dict[str, str],
) -> int:
    if method == "PUT":
        response = client.put(href, body.decode(), {"Content-Type": _CALENDAR_TYPE, **headers})
    else:
        response = client.delete(href, headers)
    if response.status in (200, 201, 204, 412) or (method == "DELETE" and response.status == 404):
        return int(response.status)
    raise PublishError(
        calendar.rep, calendar.url, f"the server refused {method} {href} (HTTP {response.status})"
    )


def _reason(error: Exception, user: str | None) -> str:
    from caldav.lib.error import AuthorizationError

    if isinstance(error, AuthorizationError) and user is None:
        return "the server asks who you are: add --user NAME"
    if isinstance(error, AuthorizationError) and error.status == 403:
        return (
            f"{user} may not write there (HTTP 403): check the URL, and that the calendar is "
            f"shared with {user} with the right to edit"
        )
    if isinstance(error, AuthorizationError):
        return (
            f"the server refused the password for {user} (set {PASSWORD_VARIABLE}, or the "
            "keyring entry for the server)"
        )
    text = " ".join(str(error).split()) or type(error).__name__
    system = _SYSTEM_REASON.search(text)  # the HTTP stack wraps it in a paragraph of its own
    return f"cannot reach the server ({system[1] or system[2] if system else text})"
