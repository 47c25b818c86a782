"""The CRM round trip is lossless (issue 14, point 4).

accounts.next.csv goes back into the CRM: every line of the input comes back as it was, byte
for byte, and outreach only adds its own columns, named so that no CRM column is taken for one
(a CRM's `Stage` and `Next Call` are the CRM's). The next quarter reads those columns back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.factories import invoke

NOW = "2027-03-01T12:00:00+00:00"
ADDED = [
    "outreach_stage",
    "outreach_stage_date",
    "outreach_next_call",
    "outreach_next_play",
    "outreach_note",
]
ZONE_OWNER = "America/New_York;Sam Rep"

# A CRM opportunity export: Excel's `sep=` line, a sales `Stage` (one value is a play name),
# a `Next Call` of its own, odd quoting, a row with one field too many, a rejected status, a
# short row, a quoted line break and a last line without its line end.
LINES = [
    "sep=;\r\n",
    "account_id;company;contact_name;phone;timezone;owner;status;Stage;Next Call;Region\r\n",
    f'A-1;"Acme ""Corp""";"Dana Ruiz";+1 212 555 0100;{ZONE_OWNER};upset;Negotiation;2027-01-05;"EMEA"\r\n',
    f"A-2;Globex;Omar Haddad;+1 212 555 0101;{ZONE_OWNER};lapsed;apology;;  x  \r\n",
    f"A-3;Initech;Eve Stone;+1 212 555 0102;{ZONE_OWNER};upset;Closed Won;;EMEA;surplus\r\n",
    f"A-4;Umbrella;Lee Park;+1 212 555 0103;{ZONE_OWNER};angry;Prospecting;;\r\n",
    "\r\n",
    f'A-5;Hooli;"Ann\nMarie";+1 212 555 0104;{ZONE_OWNER};lapsed;"Qualify";\r\n',
    f"A-6;Stark;Tony Stark;+1 212 555 0105;{ZONE_OWNER};upset;Negotiation;;APAC",
]


def campaign(contacts: Path, out: Path, first: str, last: str) -> tuple[int, str, str]:
    return invoke("campaign", str(contacts), "--out", str(out), "--from", first, "--to", last,
                  "--now", NOW, "--quiet")  # fmt: skip


def records(data: bytes, skip: int = 0) -> list[list[str]]:
    text = data.decode("utf-8").split("\n", skip)[-1] if skip else data.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def by_name(path: Path) -> dict[str, dict[str, str]]:
    rows = records(path.read_bytes(), skip=1)
    return {r[2]: dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r}


def test_every_input_line_comes_back_and_outreach_adds_only_its_own_columns(
    tmp_path: Path,
) -> None:
    contacts = tmp_path / "crm.csv"
    contacts.write_bytes("".join(LINES).encode())
    code, out, err = campaign(contacts, tmp_path / "q1", "2027-03-08", "2027-06-30")
    assert code == 1, out + err  # two rows are rejected
    written = (tmp_path / "q1/accounts.next.csv").read_bytes()
    lines = iter(written.decode("utf-8").splitlines(keepends=True))
    assert next(lines) == LINES[0]  # the `sep=;` line
    assert next(lines) == LINES[1].replace("\r\n", ";" + ";".join(ADDED) + "\r\n")
    # Rejected rows (too many fields, a bad status) and the blank line: byte for byte.
    for rejected in (LINES[4], LINES[5], LINES[6]):
        assert rejected.encode() in written
    assert written.endswith(LINES[-1].encode() + b";" + b";".join(_added_bytes(written)))
    # Every input cell of every row, as the input had it.
    original = records("".join(LINES[1:]).encode())
    back = records(written, skip=1)
    assert len(back) == len(original)
    for before, after in zip(original, back, strict=True):
        assert after[: len(before)] == before
        if not before or before[2] in ("Eve Stone", "Lee Park"):
            assert after == before  # no added cells that would align a rejected row
        elif before[0] != "account_id":
            assert len(after) == len(original[0]) + len(ADDED)
    rows = by_name(tmp_path / "q1/accounts.next.csv")
    # The CRM's Stage and Next Call are the CRM's: kept, and never read as a play's stage.
    assert rows["Dana Ruiz"]["Stage"] == "Negotiation"
    assert rows["Dana Ruiz"]["Next Call"] == "2027-01-05"
    assert rows["Dana Ruiz"]["outreach_next_play"] == "apology"
    assert rows["Omar Haddad"]["Stage"] == "apology"
    assert rows["Omar Haddad"]["outreach_next_play"] == "clear_the_air"
    assert rows["Tony Stark"]["outreach_next_play"] == "apology"
    assert rows["Ann\nMarie"]["Region"] == ""  # a short row is filled up to the header


def _added_bytes(written: bytes) -> list[bytes]:
    last = records(written, skip=1)[-1]
    return [cell.encode() for cell in last[-len(ADDED) :]]


def test_a_second_campaign_continues_from_outreach_stage(tmp_path: Path) -> None:
    contacts = tmp_path / "crm.csv"
    contacts.write_bytes("".join(LINES).encode())
    campaign(contacts, tmp_path / "q1", "2027-03-08", "2027-04-30")
    q1 = by_name(tmp_path / "q1/accounts.next.csv")
    stage = q1["Dana Ruiz"]["outreach_stage"]
    assert stage and stage != "apology"  # the apology and more were planned in Q1
    code, out, err = campaign(tmp_path / "q1/accounts.next.csv", tmp_path / "q2", "2027-05-01",
                              "2027-09-30")  # fmt: skip
    assert code == 1, out + err  # the same two rows are still rejected
    plan = list(csv.DictReader(io.StringIO((tmp_path / "q2/plan.csv").read_text("utf-8"))))
    dana = [r["play"] for r in plan if r["contact_name"] == "Dana Ruiz"]
    assert dana and "apology" not in dana and "follow_up" not in dana
    q2 = by_name(tmp_path / "q2/accounts.next.csv")
    assert list(q2["Dana Ruiz"])[-len(ADDED) :] == ADDED  # updated in place, not added twice
    assert q2["Dana Ruiz"]["Stage"] == "Negotiation"
    assert q2["Dana Ruiz"]["outreach_stage"] != stage
    original = records("".join(LINES[1:]).encode())
    back = records((tmp_path / "q2/accounts.next.csv").read_bytes(), skip=1)
    assert [r[: len(o)] for r, o in zip(back, original, strict=True)] == original
    assert LINES[4].encode() in (tmp_path / "q2/accounts.next.csv").read_bytes()


def test_a_stage_column_written_by_an_earlier_version_is_read_and_kept(tmp_path: Path) -> None:
    contacts = tmp_path / "old.csv"
    contacts.write_bytes(
        b"account_id,company,contact_name,phone,owner,status,stage,stage_date\n"
        b"A-1,Acme,Dana Ruiz,+1 212 555 0100,Sam Rep,upset,apology,2027-03-01\n"
        b"A-2,Globex,Omar Haddad,+1 212 555 0101,Sam Rep,upset,,\n"
    )
    code, out, err = campaign(contacts, tmp_path / "q1", "2027-03-08", "2027-06-30")
    assert code == 0, out + err
    plan = list(csv.DictReader(io.StringIO((tmp_path / "q1/plan.csv").read_text("utf-8"))))
    assert next(r["play"] for r in plan if r["contact_name"] == "Dana Ruiz") == "follow_up"
    assert next(r["play"] for r in plan if r["contact_name"] == "Omar Haddad") == "apology"
    back = list(csv.DictReader(io.StringIO((tmp_path / "q1/accounts.next.csv").read_text())))
    assert back[0]["stage"] == "apology" and back[0]["stage_date"] == "2027-03-01"  # untouched
    assert back[0]["outreach_stage"] not in ("", "apology")


def test_a_crm_stage_column_with_any_other_value_is_the_crms(tmp_path: Path) -> None:
    contacts = tmp_path / "crm.csv"
    contacts.write_bytes(
        b"account_id,company,contact_name,phone,owner,status,Stage,Stage Date\n"
        b"A-1,Acme,Dana Ruiz,+1 212 555 0100,Sam Rep,upset,apology,2027-03-01\n"
        b"A-2,Globex,Omar Haddad,+1 212 555 0101,Sam Rep,upset,Negotiation,2027-02-01\n"
    )
    code, out, err = campaign(contacts, tmp_path / "q1", "2027-03-08", "2027-06-30")
    assert code == 0, out + err  # `Negotiation` rejects no row
    plan = list(csv.DictReader(io.StringIO((tmp_path / "q1/plan.csv").read_text("utf-8"))))
    firsts = {r["contact_name"]: r["play"] for r in reversed(plan)}
    assert firsts == {"Dana Ruiz": "apology", "Omar Haddad": "apology"}
    back = list(csv.DictReader(io.StringIO((tmp_path / "q1/accounts.next.csv").read_text())))
    assert [(r["Stage"], r["Stage Date"]) for r in back] == [
        ("apology", "2027-03-01"), ("Negotiation", "2027-02-01"),
    ]  # fmt: skip
