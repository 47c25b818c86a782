"""Outputs are safe where people open them (issue 14, point 5), and one person is one contact
(point 6).

CSV files go into spreadsheets, scripts into Markdown viewers, messages onto terminals and
drafts into mail clients: a value typed into the CRM must read there as the text it is."""

from __future__ import annotations

import csv
import email
import html
import io
import json
import re
import unicodedata
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import unquote

import icalendar
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from outreach.cli import cli
from outreach.formats.tables import from_spreadsheet_cell, spreadsheet_cell
from tests.factories import HEADER, invoke, row, write_csv

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# -- CSV: no cell outreach writes starts a formula ---------------------------------------------

FORMULAS = [
    row(company='=HYPERLINK("https://evil.example","Open")', contact_name="@SUM(A1:A9)"),
    row(account_id="A-2", contact_name="-2+3", company="+Globex", phone="+1 212 555 0142"),
    row(account_id="=cmd|' /C calc'!A0", contact_name="\tEve", status="angry"),
]


def test_cells_that_would_start_a_formula_are_text_in_plan_and_skipped_csv(
    tmp_path: Path,
) -> None:
    contacts = write_csv(tmp_path / "c.csv", FORMULAS)
    code, out, err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"),
                            "--start", START, "--now", NOW, "--quiet")  # fmt: skip
    assert code == 1, out + err
    plan, skipped = cells(tmp_path / "out/plan.csv"), cells(tmp_path / "out/skipped.csv")
    code, stdout, _ = invoke("plan", str(contacts), "--start", START, "--format", "csv")
    printed = list(csv.reader(io.StringIO(stdout, newline="")))
    for table in (plan, skipped, printed):
        assert table[1:] and not [c for r in table for c in r if c.startswith(FORMULA_START)]
    by_name = {from_spreadsheet_cell(r[4]): r for r in plan[1:]}
    assert by_name["@SUM(A1:A9)"][3] == '\'=HYPERLINK("https://evil.example","Open")'
    assert by_name["-2+3"][5] == "'+1 212-555-0142"  # a spreadsheet shows it as typed
    assert [r[4] for r in skipped[1:]] == ["'=cmd|' /C calc'!A0"]
    # JSON is not opened in spreadsheets: values there are as they were.
    code, stdout, _ = invoke("plan", str(contacts), "--start", START, "--format", "json")
    assert {c["phone"] for c in json.loads(stdout)["calls"]} == {
        "+1 212-555-0100",
        "+1 212-555-0142",
    }


def test_accounts_next_keeps_the_inputs_own_cells_as_they_were(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", FORMULAS)
    code, out, err = invoke("campaign", str(contacts), "--out", str(tmp_path / "q1"), "--from",
                            START, "--to", "2027-06-30", "--now", NOW, "--quiet")  # fmt: skip
    assert code == 1, out + err
    written = (tmp_path / "q1/accounts.next.csv").read_text(encoding="utf-8")
    for line in contacts.read_text(encoding="utf-8").splitlines()[1:]:
        assert line in written
    back = cells(tmp_path / "q1/accounts.next.csv")
    added = [c for r in back[1:] for c in r[len(HEADER) :]]
    assert added and not [c for c in added if c.startswith(FORMULA_START)]


@given(st.text())
def test_a_value_comes_back_from_its_spreadsheet_cell(value: str) -> None:
    cell = spreadsheet_cell(value)
    assert not cell.startswith(FORMULA_START)
    assert from_spreadsheet_cell(cell) == value


# -- Markdown: no CSV value becomes a link, an image, HTML, code or emphasis -------------------

MARKUP = row(
    phone="+1 212 555 0142",
    company="Acme *Corp* _Ltd_ \\",
    contact_title="Buyer `code` ](https://evil.example/phish) [",
    notes="<img src=x onerror=alert(1)> ![pixel](https://evil.example/p.png) "
    "<https://evil.example/a> [click](javascript:alert(1)) [ref]",
    low_risk_offer="**free** <b>trial</b> snake_case_name",
    incident="Late [see][ref]\n\n[ref]: https://evil.example/r",
)


def test_a_phone_cell_carrying_a_link_is_rejected_not_linked(tmp_path: Path) -> None:
    contacts = write_csv(
        tmp_path / "c.csv", [row(phone="+1 212 555 0142](https://evil.example/phish) [")]
    )
    code, _, err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"),
                          "--start", START, "--now", NOW)  # fmt: skip
    assert code == 1
    assert "c.csv:2: phone:" in err and "is not a phone number" in err
    assert not list((tmp_path / "out").rglob("*.md"))


def test_csv_values_never_become_live_markdown_or_html_in_scripts(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [MARKUP])
    code, out, err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"),
                            "--start", START, "--now", NOW, "--quiet")  # fmt: skip
    assert code == 0, out + err
    scripts = sorted((tmp_path / "out/scripts").rglob("*.md"))
    assert scripts
    markdown = MarkdownIt("commonmark")
    everything = "".join(path.read_text(encoding="utf-8") for path in scripts)
    assert "snake_case_name" in everything  # escaped only where it would be live
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        tokens = [t for block in markdown.parse(source) for t in [block, *(block.children or [])]]
        kinds = {t.type for t in tokens}
        assert not kinds & {"image", "html_inline", "html_block", "code_inline"}, path.name
        links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
        assert links == ["tel:+12125550142"], path.name  # the phone's own link, and no other
        page = markdown.render(source)
        assert "<em>Corp</em>" not in page and "<strong>free</strong>" not in page
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        assert "Acme *Corp* _Ltd_ \\" in text  # every value reads as typed
        assert "Buyer `code` ](https://evil.example/phish) [" in text
        if "apology" in path.name:
            assert "<img src=x onerror=alert(1)> ![pixel](https://evil.example/p.png)" in text
            assert "Late [see][ref] / [ref]: https://evil.example/r" in text
    # Calendar descriptions are the scripts as plain text: the values as typed, nothing lost.
    (calendar,) = (tmp_path / "out/calendars").glob("*.ics")
    event = icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")[0]
    description = str(event["DESCRIPTION"])
    assert "Buyer `code` ](https://evil.example/phish) [" in description
    assert "Acme *Corp* _Ltd_ \\ (account A-1" in description
    assert (
        "Notes: <img src=x onerror=alert(1)> ![pixel](https://evil.example/p.png) " in description
    )


# -- the terminal: no control character from a cell reaches it ---------------------------------

CONTROLS = "\x1b]0;pwned\x07\x1b[2J\u202e\x9b31m"


def assert_plain(text: str) -> None:
    assert all(c.isprintable() or c == "\n" for c in text), repr(
        [line for line in text.splitlines() if not line.isprintable()][:3]
    )


def test_preview_prints_no_control_characters_from_cells(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(contact_name="Dana" + CONTROLS,
                                                  company="Acme" + CONTROLS, notes=CONTROLS)])  # fmt: skip
    result = CliRunner().invoke(
        cli, ["preview", str(contacts), "--account", "A-1", "--start", START]
    )
    assert result.exit_code == 0, result.output
    assert "Dana\\x1b" in result.stdout  # shown, escaped
    assert_plain(result.stdout)
    assert_plain(result.stderr)


def test_messages_that_quote_a_header_print_no_control_characters(tmp_path: Path) -> None:
    header = [*HEADER, "Region" + CONTROLS]
    contacts = write_csv(tmp_path / "c.csv", [{**row(), header[-1]: "x" * 10_001}], header)
    result = CliRunner().invoke(cli, ["check", str(contacts)])
    assert result.exit_code == 1
    assert "Region\\x1b" in result.stdout
    assert_plain(result.stdout)


# -- invitation drafts: header lines within 998 octets, mailto: URIs percent-encoded -----------

ODD_ADDRESS = "da%na/x?y#z=w&v@acme.example"


def test_invitation_headers_fold_and_mailto_uris_are_percent_encoded(tmp_path: Path) -> None:
    owner = "Sam " + "y" * 1200
    names = ["Dana " + "x" * 1500 + " Ruiz", "Ömer " + "é" * 900, "Ruiz, " + "x," * 600]
    addresses = [ODD_ADDRESS, "c1@acme.example", "c2@acme.example"]
    rows = [
        row(account_id=f"A-{i}", contact_name=name, status="lapsed", owner=owner, email=address)
        for i, (name, address) in enumerate(zip(names, addresses, strict=True))
    ]
    contacts = write_csv(tmp_path / "c.csv", rows)
    config = tmp_path / "outreach.toml"
    config.write_text(f'[reps."{owner}"]\nemail = "sam+x/y@example.com"\n', encoding="utf-8")
    code, out, err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), "--start",
                            START, "--now", NOW, "--invites", "--config", str(config), "--quiet")  # fmt: skip
    assert code == 0, out + err
    drafts = sorted((tmp_path / "out/invites").rglob("*.eml"))
    assert drafts
    seen = set()
    for path in drafts:
        data = path.read_bytes()
        assert max(len(line) for line in data.split(b"\r\n")) <= 998, path.name
        message = email.message_from_bytes(data)
        to = str(make_header(decode_header(message["To"])))
        name, address = to.rsplit(" <", 1)
        seen.add(name.strip('"'))
        assert str(make_header(decode_header(message["From"]))).startswith(owner)
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        attachment = part.get_payload(decode=True)
        assert isinstance(attachment, bytes)
        calendar = attachment.decode("utf-8").replace("\r\n ", "")
        uris = re.findall(r":(mailto:[^\r\n]*)", calendar)
        assert {unquote(uri.removeprefix("mailto:")) for uri in uris} == {
            address.rstrip(">"),
            "sam+x/y@example.com",
        }
        assert all(not set(uri) & set("/?#&=") for uri in uris)
    assert seen == set(names)
    ics = next((tmp_path / "out/calendars").glob("*.ics")).read_text(encoding="utf-8")
    assert "mailto:sam+x%2Fy@example.com" in ics.replace("\r\n ", "")


# -- one person is one contact, whichever Unicode form their name was typed in -----------------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_contact_typed_composed_and_decomposed_is_one_contact(tmp_path: Path) -> None:
    name = "José Núñez"
    contacts = write_csv(tmp_path / "c.csv", [row(contact_name=name), row(contact_name=nfd(name))])
    code, stdout, _ = invoke("plan", str(contacts), "--start", START, "--format", "json")
    assert code == 1
    plan = json.loads(stdout)
    assert [c["play"] for c in plan["calls"]].count("apology") == 1  # not two apologies
    assert {c["contact_name"] for c in plan["calls"]} == {name}
    (skip,) = plan["skipped"]
    assert skip["line"] == 3 and skip["reason"].startswith("duplicate contact")


def test_an_account_typed_composed_and_decomposed_is_one_account(tmp_path: Path) -> None:
    company, account = "Café Zoë GmbH", "Ä-1"
    contacts = write_csv(tmp_path / "c.csv", [
        row(account_id=account, company=company, contact_name="Dana Ruiz"),
        row(account_id=nfd(account), company=nfd(company).upper(), contact_name="Omar Haddad"),
        row(account_id=nfd(account), company=nfd(company), contact_name="DANA RUIZ"),
    ])  # fmt: skip
    code, stdout, _ = invoke("plan", str(contacts), "--start", START, "--format", "json")
    plan = json.loads(stdout)
    assert [(s["line"], s["reason"].split(" ")[0]) for s in plan["skipped"]] == [(4, "duplicate")]
    assert {(c["account_id"], c["company"]) for c in plan["calls"]} == {(account, company)} | {
        (account, company.upper())
    }
    code, stdout, _ = invoke("preview", str(contacts), "--account", nfd(account).lower(),
                             "--contact", nfd("omar"), "--start", START)  # fmt: skip
    assert code == 0 and "Omar Haddad" in stdout
