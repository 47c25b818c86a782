"""Hostile values never escape their slot (issue 8, point 2).

Anybody in the company can type into the CRM, so every text field here carries template
syntax, markup, iCalendar line breaks and mail headers at once; the files are then read back
with the parsers their users' programs use (icalendar and the strict `ical`, `email`, an HTML
parser) and must hold exactly what the plan says, no more. File names come from untrusted
names too, and a user's templates folder is code we did not write."""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import html
import io
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result
from ical.calendar_stream import IcsCalendarStream

from outreach.cli import cli
from outreach.formats.tables import from_spreadsheet_cell
from outreach.render.templates import builtin_templates_dir
from tests.factories import HEADER, row, write_csv

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"

TEMPLATE_SYNTAX = ("{{ 7*7 }}", "{% include '/etc/passwd' %}", "{{ ''.__class__.__mro__ }}")
EVALUATED = ("root:x:0:", "<class 'object'>", "(<class 'str'>", "<class 'str'>")
"""What the template syntax would print had it been run."""
MARKUP = "<script>alert(1)</script>"
BREAKOUT = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nX-INJECTED:1\r\nEND:VCALENDAR\nBEGIN:VALARM\r"
HEADERS = "\r\nBcc: evil@example.com\r\nX-Injected: 1\n\nbody"
HOSTILE = " ".join(TEMPLATE_SYNTAX) + " " + MARKUP + BREAKOUT + HEADERS

TEXT_FIELDS = ("account_id", "company", "contact_name", "contact_title", "reason", "incident",
               "root_cause", "changes_made", "options", "low_risk_offer", "notes")  # fmt: skip
EXTRA = "Region"

REP = "Sam" + HOSTILE
HANDOFF = "Bob" + HOSTILE
REP_EMAILS = {REP: "sam@example.com", HANDOFF: "bob@example.com", "Ann": "ann@example.com"}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


def settings(path: Path, emails: dict[str, str]) -> Path:
    """Reps' e-mails in TOML, their names escaped as TOML basic strings (JSON's escapes are)."""
    path.write_text(
        "".join(
            f"[reps.{json.dumps(rep)}]\nemail = {json.dumps(address)}\n\n"
            for rep, address in emails.items()
        ),
        encoding="utf-8",
    )
    return path


def hostile(field: str, n: int) -> str:
    """A field's value: its name and row first (to find it again), then everything hostile."""
    return f"{field}{n} {HOSTILE}"


def printable(field: str, n: int) -> str:
    """The part of the value every output prints on one line."""
    return f"{field}{n} {' '.join(TEMPLATE_SYNTAX)} {MARKUP}"


def hostile_rows() -> list[dict[str, str]]:
    def with_text(n: int, **fields: str) -> dict[str, str]:
        values = {name: hostile(name, n) for name in TEXT_FIELDS}
        return row(**values, **{EXTRA: hostile(EXTRA, n)}, **fields)

    return [
        # A phone with text around it is rejected (tests/test_phone.py): these two get calls.
        with_text(1, owner=REP, phone="+1 212 555 0101"),
        with_text(2, owner=REP, status="lapsed", last_contact="2026-01-04",
                  phone="+1 212 555 0102"),
        with_text(3, owner="Ann", handoff_to=HANDOFF, status="lapsed", last_contact="2026-01-04",
                  email="c3@example.com"),
        with_text(4, owner=REP, status="lapsed", account_value="$500"),  # dropped: the report lists it
        row(account_id="A-5", contact_name="Eve", email="eve@example.com" + HEADERS),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    contacts = write_csv(folder / "contacts.csv", hostile_rows(), header=[*HEADER, EXTRA])
    config = settings(folder / "outreach.toml", REP_EMAILS)
    result = invoke("generate", str(contacts), "--out", str(folder / "out"), "--config",
                    str(config), "--invites", "--start", START, "--now", NOW, "--quiet")  # fmt: skip
    assert result.exit_code == 1, result.output  # row 5's e-mail is rejected
    result = invoke("campaign", str(contacts), "--out", str(folder / "campaign"), "--config",
                    str(config), "--from", START, "--to", "2027-06-30", "--now", NOW, "--quiet")  # fmt: skip
    assert result.exit_code == 1, result.output
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    """The values outreach wrote: a cell that would start a formula has a `'` in front."""
    with path.open(encoding="utf-8", newline="") as handle:  # newline="": keep CR LF in cells
        return [{k: from_spreadsheet_cell(v) for k, v in r.items()} for r in csv.DictReader(handle)]


def decoded_parts(message: Message) -> Iterator[tuple[str, str]]:
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            yield part.get_content_type(), payload.decode("utf-8")


# -- template syntax prints as typed --------------------------------------------------------


def test_template_syntax_in_any_field_prints_literally(hostile_run: Path) -> None:
    out = hostile_run / "out"
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*.md"))
    scripts = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", scripts)  # as Markdown shows it
    invites = "\n".join(
        text
        for p in out.rglob("*.eml")
        for kind, text in decoded_parts(email.message_from_bytes(p.read_bytes()))
        if kind == "text/plain"
    )
    descriptions = "\n".join(
        str(event["DESCRIPTION"])
        for p in out.rglob("*.ics")
        for event in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")
    )
    report = html.unescape((hostile_run / "campaign/report.html").read_text(encoding="utf-8"))
    for name, text in [("scripts", scripts), ("invitations", invites),
                       ("calendars", descriptions), ("report", report)]:  # fmt: skip
        assert all(syntax in text for syntax in TEMPLATE_SYNTAX), name
        assert not any(sign in text for sign in EVALUATED), name
    shown = {
        field
        for field in (*TEXT_FIELDS, "owner")
        for n in (1, 2, 3)
        if printable(field, n) in scripts
    }
    # Every field a built-in script prints, printed whole (the reason is a code, not shown).
    assert shown >= set(TEXT_FIELDS) - {"reason"}
    assert f"Sam{' '.join(TEMPLATE_SYNTAX)}" in scripts.replace(" / ", "")
    assert f"Bob{' '.join(TEMPLATE_SYNTAX)}" in invites  # the rep the account was handed to


# -- iCalendar: no line break makes a property, an event or a component ---------------------

CALENDAR_PROPERTIES = {"VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME"}
EVENT_PROPERTIES = {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "CATEGORIES",
                    "DESCRIPTION", "LOCATION", "ORGANIZER", "STATUS", "TRANSP", "URL"}  # fmt: skip
ALARM_PROPERTIES = {"ACTION", "DESCRIPTION", "TRIGGER"}
INVITE_PROPERTIES = {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "ATTENDEE",
                     "DESCRIPTION", "LOCATION", "ORGANIZER", "STATUS", "TRANSP"}  # fmt: skip
TITLES = {"apology": "Apology call", "follow_up": "Follow-up call", "small_step": "Small-step call",
          "substantial_offer": "Offer call", "clear_the_air": "Clear-the-air call",
          "keep_in_touch": "Keep-in-touch call"}  # fmt: skip


def as_text(value: str) -> str:
    """A value as an iCalendar TEXT reads back: its line breaks as LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def properties(component: Any) -> set[str]:
    return {name.upper() for name in component}


def test_line_breaks_in_values_add_no_property_event_or_component(hostile_run: Path) -> None:
    out = hostile_run / "out"
    plan = {r["id"]: r for r in read_csv(out / "plan.csv")}
    assert {r["owner"] for r in plan.values()} == {REP, HANDOFF}
    seen: Counter[str] = Counter()
    for path in sorted((out / "calendars").glob("*.ics")):
        text = path.read_bytes().decode("utf-8")
        assert re.fullmatch(r"(?:[^\r\n]*\r\n)+", text), f"{path.name}: a bare CR or LF"
        calendar = icalendar.Calendar.from_ical(text)
        assert properties(calendar) == CALENDAR_PROPERTIES
        assert {c.name for c in calendar.subcomponents} == {"VTIMEZONE", "VEVENT"}
        events = calendar.walk("VEVENT")
        owners = set()
        for event in events:
            call = plan[str(event["UID"]).split("@")[0]]
            owners.add(call["owner"])
            seen[call["id"]] += 1
            assert properties(event) == EVENT_PROPERTIES
            assert [(c.name, properties(c)) for c in event.subcomponents] == [
                ("VALARM", ALARM_PROPERTIES)
            ]
            summary = f"{TITLES[call['play']]} — {call['contact_name']}, {call['company']}"
            assert str(event["SUMMARY"]) == as_text(summary)
            assert str(event["LOCATION"]) == as_text(call["phone"])
        assert len(owners) == 1  # one rep's calendar
        strict = IcsCalendarStream.calendar_from_ics(text)
        assert sorted(e.uid for e in strict.events) == sorted(str(e["UID"]) for e in events)
        for strict_event in strict.events:
            call = plan[strict_event.uid.split("@")[0]]
            assert strict_event.location == as_text(call["phone"])
            assert len(strict_event.alarm) == 1
        assert not any(name.upper().startswith("X-INJECTED") for c in calendar.walk() for name in c)
    assert seen == Counter(dict.fromkeys(plan, 1))  # every planned call, once


def test_invitation_calendars_hold_one_event_of_the_plan(hostile_run: Path) -> None:
    drafts = sorted((hostile_run / "out/invites").rglob("*.eml"))
    assert drafts
    for path in drafts:
        parts = [t for k, t in decoded_parts(email.message_from_bytes(path.read_bytes()))
                 if k == "text/calendar"]  # fmt: skip
        assert len(parts) == 1
        calendar = icalendar.Calendar.from_ical(parts[0])
        assert properties(calendar) == {"VERSION", "PRODID", "CALSCALE", "METHOD"}
        (event,) = calendar.walk("VEVENT")
        assert properties(event) == INVITE_PROPERTIES and not event.subcomponents
        strict = IcsCalendarStream.calendar_from_ics(parts[0])
        assert len(strict.events) == 1


# -- e-mail: no line break adds a header ----------------------------------------------------

DRAFT_HEADERS = ["Content-Type", "MIME-Version", "From", "To", "Subject", "Date", "Message-ID",
                 "X-Unsent"]  # fmt: skip


def raw_header_names(data: bytes) -> list[str]:
    """Header names as any mail program splits them: up to the first empty line, one per line
    that does not start with white space."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0] for line in head.split("\r\n") if not line[:1].isspace()]


def test_line_breaks_in_names_add_no_mail_header(hostile_run: Path) -> None:
    plan = {r["id"]: r for r in read_csv(hostile_run / "out/plan.csv")}
    drafts = sorted((hostile_run / "out/invites").rglob("*.eml"))
    senders = set()
    for path in drafts:
        data = path.read_bytes()
        assert raw_header_names(data) == DRAFT_HEADERS
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert list(message.keys()) == DRAFT_HEADERS
        (sender,) = message["From"].addresses
        (recipient,) = message["To"].addresses
        senders.add(sender.addr_spec)
        assert recipient.addr_spec in {"dana@acme.example", "c3@example.com"}
        assert message.get("Bcc") is None and message.get("X-Injected") is None
        call_id = message["Message-ID"].strip("<>").split(".")[0]
        assert plan[call_id]["play"] in {"clear_the_air", "keep_in_touch"}
    assert senders == {"sam@example.com", "bob@example.com"}


def test_an_email_address_with_a_line_break_is_rejected(hostile_run: Path) -> None:
    text = (hostile_run / "contacts.csv").read_bytes().decode()
    before = text[: text.index("\r\nA-5,") + 2]  # the rows before span several lines each
    line = len(io.StringIO(before, newline="").readlines()) + 1
    skipped = read_csv(hostile_run / "out/skipped.csv")
    assert [(r["line"], r["field"]) for r in skipped if r["kind"] == "rejected"] == [
        (str(line), "email")
    ]
    assert not any("eve" in p.name for p in (hostile_run / "out").rglob("*"))


def test_a_reps_email_with_a_line_break_is_a_settings_error(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(status="lapsed", last_contact="2026-01-04")])
    config = settings(tmp_path / "o.toml", {"Sam Rep": "sam@example.com\r\nBcc: evil@example.com"})
    result = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), "--config",
                    str(config), "--invites", "--now", NOW, "--quiet")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "email" in result.stderr and not (tmp_path / "out").exists()


# -- HTML report: markup is text --------------------------------------------------------------

REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "b",
               "br", "code", "table", "caption", "thead", "tbody", "tr", "th", "td", "a", "details",
               "summary", "figure", "figcaption", "svg", "rect", "text"}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markup_in_any_field_is_escaped_in_the_report(hostile_run: Path) -> None:
    page = (hostile_run / "campaign/report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= REPORT_TAGS
    assert not any(name.startswith("on") for name in parser.attributes)
    text = "".join(parser.text)
    assert MARKUP in text  # shown, as text: the rep, the dropped account and contact
    for shown in ("Sam{{ 7*7 }}", printable("account_id", 4), printable("contact_name", 4)):
        assert shown in text


# -- file names --------------------------------------------------------------------------------

NAMES = (
    "../../../../tmp/escaped", "/etc/cron.d/evil", "..\\..\\Windows\\System32\\evil",
    "C:\\evil", "a:b", "nul\0byte", "CON", "NUL", "com1.txt", "LPT9", "x" * 300, "é" * 300,
    "..", ".", ".hidden", "~", "日本語", "-", "  padded  ", "Ω\u200b\u202e", "dir/..",
)  # fmt: skip
_WINDOWS_RESERVED = re.compile(r"(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?", re.IGNORECASE)


def _tie(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def naming_rows() -> list[dict[str, str]]:
    rows = [
        row(account_id=f"A-{n}", company=name, contact_name=NAMES[(n + 1) % len(NAMES)],
            owner=NAMES[(n + 2) % len(NAMES)])
        for n, name in enumerate(NAMES)
    ]  # fmt: skip
    # Reps whose names make the same file name; and one named like the tie-broken name
    # another one gets (`foo` collides with `Foo` and becomes `foo-<hash of foo>`).
    for n, owner in enumerate(
        ("Sam Rep", "sam rep", "SAM_REP", "Foo", f"Foo {_tie('foo')}", "foo")
    ):
        rows.append(row(account_id=f"B-{n}", company="Same", contact_name="Same", owner=owner))
    return rows


def test_hostile_names_give_safe_unique_bounded_files_inside_the_output(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "contacts.csv", naming_rows())
    out = tmp_path / "deep" / "out"
    result = invoke("generate", str(contacts), "--out", str(out), "--start", START, "--now", NOW,
                    "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {"contacts.csv", "deep"}
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["out"]
    root = os.path.realpath(out)
    paths = [Path(d) / name for d, dirs, files in os.walk(out) for name in (*dirs, *files)]
    for path in paths:
        assert os.path.realpath(path).startswith(root + os.sep), path
        relative = path.relative_to(out)
        for part in relative.parts:
            assert len(part.encode()) <= 255 and len(part) <= 128, part
            assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*|\.outreach-manifest\.json", part), part
            assert not _WINDOWS_RESERVED.fullmatch(part), part
    folded = Counter(str(p.relative_to(out)).casefold() for p in paths)
    assert max(folded.values()) == 1  # unique even where case does not count

    plan = read_csv(out / "plan.csv")
    assert len({r["script"] for r in plan}) == len(plan)  # a file per call, none shared
    assert sorted(r["script"] for r in plan) == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.md")
    )
    reps = {r["owner"] for r in plan}
    calendars = sorted((out / "calendars").glob("*.ics"))
    assert len(calendars) == len(reps)  # a calendar per rep, none overwritten by another's
    events = sum(
        len(icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")) for p in calendars
    )
    assert events == len(plan)


# -- a user's templates: sandboxed, and confined to their folders -----------------------------

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], str | bytes):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)

HOSTILE_TEMPLATES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "include passwd": "{% include '/etc/passwd' %}",
    "include parent": "{% include '../secret.txt' %}",
    "extends via builtin": "{% extends 'builtin/../../secret.txt' %}",
    "cycler globals": "{{ cycler.__init__.__globals__ }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].system('true') }}",
    "self context": "{{ self._TemplateReference__context }}",
    "attr filter": "{{ contact | attr('__class__') }}",
    "format string": "{{ '{0.__class__.__init__.__globals__}'.format(contact) }}",
    "mutate context": "{% set _ = extra.update({'x': 1}) %}{{ extra }}",
    "linked file": "{% include 'leak.j2' %}",
    "linked folder": "{% include 'shared/secret.txt' %}",
}


@pytest.mark.parametrize("source", HOSTILE_TEMPLATES.values(), ids=HOSTILE_TEMPLATES.keys())
def test_a_hostile_template_fails_cleanly_without_reading_outside_its_folders(
    source: str, tmp_path: Path
) -> None:
    global _OPENED
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "apology.md.j2").write_text(source + "\n")
    (templates / "leak.j2").symlink_to(secret)  # a link in a shared or cloned folder
    (templates / "shared").symlink_to(tmp_path, target_is_directory=True)
    contacts = write_csv(tmp_path / "c.csv", [row(reason="")])  # no variant: apology.md.j2
    _OPENED = []
    try:
        result = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), "--templates",
                        str(templates), "--start", START, "--now", NOW, "--quiet")  # fmt: skip
        opened = [os.path.realpath(p) for p in _OPENED]
    finally:
        _OPENED = None
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "apology.md.j2" in result.stderr
    assert "TOP SECRET" not in result.output and "root:" not in result.output
    forbidden = {os.path.realpath(secret), "/etc/passwd"}
    assert not forbidden & set(opened)
    allowed = (str(templates.resolve()), str(builtin_templates_dir().resolve()))
    read = [p for p in opened if p.endswith(".j2") or p.endswith(".txt")]
    assert all(p.startswith(allowed) for p in read), read
    written = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (tmp_path / "out").rglob("*") if p.is_file()
    )  # fmt: skip
    assert "TOP SECRET" not in written and "root:" not in written


# -- CSV outputs: a line break in a cell stays in its cell -------------------------------------


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_breaks_in_cells_stay_in_their_cells_of_every_csv_written(
    ending: str, tmp_path: Path
) -> None:
    """The csv module quotes a cell with a CR only when CR is in its line terminator: with
    "\\n" line ends, plan.csv, skipped.csv and accounts.next.csv split such a row in two."""
    rows = [
        row(contact_name="Dana\rRuiz", notes="one\rtwo\nthree"),
        row(account_id="A-2", contact_name="Omar\nHaddad", company="Globex\r"),
        row(account_id="A-3", contact_name="Eve\r", status="angry"),
    ]
    contacts = tmp_path / "contacts.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator=ending, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    contacts.write_bytes(buffer.getvalue().encode())
    out = tmp_path / "out"
    result = invoke("campaign", str(contacts), "--out", str(out), "--from", START, "--to",
                    "2027-06-30", "--now", NOW, "--quiet")  # fmt: skip
    assert result.exit_code == 1, result.output
    plan = read_csv(out / "plan.csv")
    assert {r["contact_name"] for r in plan} == {"Dana\rRuiz", "Omar\nHaddad"}
    assert [(r["contact_name"], r["field"]) for r in read_csv(out / "skipped.csv")] == [
        ("Eve", "status")
    ]
    with (out / "accounts.next.csv").open(encoding="utf-8", newline="") as handle:
        back = list(csv.DictReader(handle))
    assert [{k: r[k] for k in HEADER} for r in back] == rows
    assert {r["contact_name"]: bool(r.get("outreach_next_call")) for r in back} == {
        "Dana\rRuiz": True, "Omar\nHaddad": True, "Eve\r": False,
    }  # fmt: skip
    assert (out / "accounts.next.csv").read_bytes().count(ending.encode()) >= len(rows) + 1


# -- the terminal: no escape sequence reaches it ----------------------------------------------

TERMINAL = "\x1b[2J\x1b]0;pwned\x07\u202e\x9b31m"
"""Clear the screen, retitle the window, reverse the line, and a C1 control sequence."""


def terminal_rows() -> list[dict[str, str]]:
    return [
        row(company="Acme" + TERMINAL, contact_name="Dana" + TERMINAL, owner="Sam" + TERMINAL),
        row(account_id="A-2", contact_name="Omar" + TERMINAL, status="angry"),
        row(account_id="A-3", contact_name="Lee" + TERMINAL, account_value="5"),
    ]


def assert_plain(text: str) -> None:
    assert all(c.isprintable() or c == "\n" for c in text), repr(
        [line for line in text.splitlines() if not line.isprintable()][:3]
    )


def test_the_plan_table_and_messages_print_no_control_characters(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", terminal_rows())
    result = invoke("plan", str(contacts), "--start", START)
    assert result.exit_code == 1
    assert "Acme\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\x9b31m" in result.stdout  # shown, escaped
    assert_plain(result.stdout)
    assert_plain(result.stderr)
    assert_plain(invoke("check", str(contacts)).output)


def test_the_summaries_of_generate_and_campaign_print_no_control_characters(
    tmp_path: Path,
) -> None:
    contacts = write_csv(tmp_path / "c.csv", terminal_rows())
    result = invoke("campaign", str(contacts), "--out", str(tmp_path / "campaign"), "--from",
                    START, "--to", "2027-06-30", "--now", NOW)  # fmt: skip
    assert "Sam\\x1b[2J" in result.stdout  # the totals table
    assert_plain(result.stdout)
    assert_plain(result.stderr)
    result = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW)
    assert_plain(result.stdout)
    assert_plain(result.stderr)
