"""A rep's calendar file as CalDAV resources, and what to do with each on the server.

CalDAV holds one event per resource (RFC 4791 4.1: one UID, the VTIMEZONEs it uses, no
METHOD). Each resource carries X-OUTREACH-DIGEST, the digest of what a person sees in the
event (`seen_digest`) as outreach wrote it. Reading the server's copy back, a rerun knows
without any state of its own whether the files changed the event since (the file's digest
differs from the stored one) and whether someone changed it on the server (the server's copy
no longer shows what the stored digest says). Servers may re-serialise what they store, so
the digest is of values (text unescaped, times as UTC instants), not of bytes. They are read
with string methods, as `ics` writes them: icalendar's parser takes ~20 ms for an event
holding a whole script, which a calendar of a thousand calls would wait for twice.

Nothing here touches the network: `output.publish` sends what `action` decides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from outreach.errors import InputError
from outreach.formats.calendars import PRODID, calendar_name
from outreach.formats.ics import content_lines

DIGEST_PROPERTY = "X-OUTREACH-DIGEST"
SEEN = ("SUMMARY", "DTSTART", "DTEND", "DESCRIPTION", "LOCATION", "STATUS")
"""The properties whose change a person sees, on either side (alarms are the client's)."""
_CALENDAR_PREFIX = calendar_name("")
_HEADER = content_lines(
    ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
)
# Servers may store LF for CRLF: every pattern takes both.
_LINES = re.compile(r"\r?\n")
_LINE = re.compile(r'([A-Za-z0-9-]+)((?:;(?:"[^"]*"|[^";:])*)*):(.*)')
_TZID = re.compile(r';TZID=("?)([^";:]*)\1', re.IGNORECASE)
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "N": "\n"}

Action = Literal["create", "update", "cancel", "delete", "unchanged", "conflict", "absent"]


@dataclass(frozen=True, slots=True)
class Resource:
    """One event of a calendar file, as it goes to the server."""

    uid: str
    name: str
    """The resource's name in the calendar collection: the UID, percent-encoded, and `.ics`."""
    summary: str
    body: bytes
    digest: str
    cancelled: bool


@dataclass(frozen=True, slots=True)
class Held:
    """What the server holds for one of our UIDs."""

    href: str
    etag: str | None
    stored: str | None
    """The digest outreach wrote with it; None for an event imported from a file by hand."""
    seen: str
    """The digest of what it shows now."""


def _blocks(text: str, component: str) -> list[str]:
    return re.findall(rf"BEGIN:{component}\r?\n.*?END:{component}\r?\n", text, re.DOTALL)


def _properties(block: str) -> dict[str, tuple[str, str]]:
    """A component's own properties (not its alarms'), unfolded: name → (parameters, value);
    the first of a name that occurs more than once."""
    found: dict[str, tuple[str, str]] = {}
    depth = 0  # servers may put properties after the alarms (Radicale does)
    unfolded = block.replace("\r\n ", "").replace("\r\n\t", "")
    if "\n " in unfolded or "\n\t" in unfolded:  # LF alone
        unfolded = unfolded.replace("\n ", "").replace("\n\t", "")
    for line in _LINES.split(unfolded)[1:]:
        if line.startswith(("BEGIN:", "END:")):
            depth += 1 if line.startswith("BEGIN:") else -1
        elif depth == 0 and (match := _LINE.fullmatch(line)):
            found.setdefault(match[1].upper(), (match[2], match[3]))
    return found


def _text(value: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPED.get(m[1], m[1]), value)


def _instant(parameters: str, value: str) -> str:
    """A DATE-TIME as a UTC instant where its zone is known; else as written."""
    zone = _TZID.search(parameters)
    try:
        if value.endswith("Z"):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif zone:
            local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(zone[2]))
            moment = local.astimezone(UTC)
        else:
            return value
    except (ValueError, KeyError):  # another form, or a zone by another name
        return f"{parameters}:{value}"
    return moment.isoformat()


def seen_digest(properties: dict[str, tuple[str, str]]) -> str:
    parts = []
    for name in SEEN:
        parameters, value = properties.get(name, ("", ""))
        parts.append(_instant(parameters, value) if name.startswith("DT") else _text(value))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def calendar_resources(data: bytes, source: str, uid_domain: str) -> tuple[str, list[Resource]]:
    """The rep a calendar file is for (its X-WR-CALNAME) and its events as resources, each
    event's bytes as the file has them.

    Every event must be ours (its UID in `uid_domain`): a file of other events, or one
    written under other settings, is refused rather than published into a rep's calendar."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        raise InputError(source, "not an iCalendar file (not UTF-8)") from None
    header = text[: text.find("BEGIN:", 1)]  # up to the first time zone or event
    name = _text(_properties(header).get("X-WR-CALNAME", ("", ""))[1])
    if not text.startswith("BEGIN:VCALENDAR") or not name.startswith(_CALENDAR_PREFIX):
        raise InputError(source, "X-WR-CALNAME: not a calendar written by outreach")
    zones = {}
    for block in _blocks(text, "VTIMEZONE"):
        zones[_properties(block).get("TZID", ("", ""))[1]] = block
    resources = []
    for block in _blocks(text, "VEVENT"):
        properties = _properties(block)
        uid = _text(properties.get("UID", ("", ""))[1])
        if not uid.endswith(f"@{uid_domain}"):
            raise InputError(
                source,
                f"UID: {uid!r} is not of calendar.uid_domain {uid_domain!r}; publish with the "
                "settings the folder was generated with",
            )
        resources.append(_resource(uid, block, properties, zones))
    return name.removeprefix(_CALENDAR_PREFIX), resources


def _resource(
    uid: str, block: str, properties: dict[str, tuple[str, str]], zones: dict[str, str]
) -> Resource:
    digest = seen_digest(properties)
    used = sorted(
        {
            zone[2]
            for name in ("DTSTART", "DTEND")
            if (zone := _TZID.search(properties.get(name, ("", ""))[0]))
        }
    )
    before = block.find("BEGIN:VALARM")  # properties come before the alarms
    before = before if before >= 0 else block.rindex("END:VEVENT")
    event = f"{block[:before]}{DIGEST_PROPERTY}:{digest}\r\n{block[before:]}"
    body = "".join([*(zones[zone] for zone in used if zone in zones), event, "END:VCALENDAR\r\n"])
    return Resource(
        uid=uid,
        name=quote(uid, safe="") + ".ics",
        summary=_text(properties.get("SUMMARY", ("", ""))[1]),
        body=_HEADER + body.encode(),
        digest=digest,
        cancelled=properties.get("STATUS", ("", ""))[1].upper() == "CANCELLED",
    )


def held_event(href: str, etag: str | None, data: str, uid_domain: str) -> tuple[str, Held] | None:
    """The UID and state of a resource the server holds, if it is one of ours: a single
    event whose UID is in `uid_domain`. Anything else (other events, a recurring series)
    is someone else's, and never touched."""
    blocks = _blocks(data, "VEVENT")
    if len(blocks) != 1:
        return None
    properties = _properties(blocks[0])
    uid = _text(properties.get("UID", ("", ""))[1])
    if not uid.endswith(f"@{uid_domain}"):
        return None
    stored = properties.get(DIGEST_PROPERTY)
    return uid, Held(href, etag, stored[1] if stored else None, seen_digest(properties))


def action(resource: Resource, held: Held | None, *, force: bool, delete: bool) -> Action:
    """What publishing does with one event of the files, given the server's copy.

    An event someone changed on the server is a conflict when the files changed it too
    (`force` replaces it); when the files did not, the server's version stays."""
    if held is None:
        return "absent" if resource.cancelled else "create"
    if held.seen == resource.digest and not (resource.cancelled and delete):
        return "unchanged"
    if held.seen != held.stored and not force:
        return "unchanged" if resource.digest == held.stored else "conflict"
    if resource.cancelled and delete:
        return "delete"
    return "cancel" if resource.cancelled else "update"
