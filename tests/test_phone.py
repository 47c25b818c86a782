"""Numbers that dial: read as typed in the contact's country, one tel: URI everywhere."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import icalendar
import pytest

from outreach.config import parse_config
from outreach.errors import ConfigError
from outreach.formats.tables import from_spreadsheet_cell
from outreach.intake.contacts import read_contacts
from outreach.model.phone import doubt, parse_country, read_phone, zone_region
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config, DropSettings, InputSettings, ScheduleSettings
from outreach.planning.triage import triage
from tests.factories import HEADER, invoke, make_contact, row, write_csv

START, NOW = "2027-03-08", "2027-03-01T00:00:00Z"


@pytest.mark.parametrize(
    ("typed", "region", "uri", "shown"),
    [
        ("+1 212 555 0100 extension 12", "DE", "tel:+12125550100;ext=12", "+1 212-555-0100 ext. 12"),
        ("+49 (0)30 1234567", "US", "tel:+49301234567", "+49 30 1234567"),
        ("(212) 555-0100 x12", "US", "tel:+12125550100;ext=12", "+1 212-555-0100 ext. 12"),
        ("030 1234567", "DE", "tel:+49301234567", "+49 30 1234567"),
        ("03-5555-0199", "JP", "tel:+81355550199", "+81 3-5555-0199"),
        ("0049 30 1234567", "DE", "tel:+49301234567", "+49 30 1234567"),
        ("+44 20 7946 0958 #7", None, "tel:+442079460958;ext=7", "+44 20 7946 0958 x7"),
        ("＋１ ２１２ ５５５ ０１００ ext. ١٢", "US", "tel:+12125550100;ext=12", "+1 212-555-0100 ext. 12"),
    ],
)  # fmt: skip
def test_numbers_read_in_their_region_dial_their_e164_uri(
    typed: str, region: str | None, uri: str, shown: str
) -> None:
    phone = read_phone(typed, region)
    assert (phone.tel, phone.international, phone.valid) == (uri, shown, True)


@pytest.mark.parametrize(
    ("typed", "region", "reason"),
    [
        ("call me", "US", "is not a phone number"),
        ("12", "US", "has too few digits for a number in United States (US)"),
        ("1-800-FLOWERS", "US", "has letters in it: only a number and its extension belong here"),
        (
            "call 212 555 0100",
            "US",
            "has letters in it: only a number and its extension belong here",
        ),
        ("+1 212 555 0101 {{ 7*7 }}", "US", "is not a phone number"),
        ("+1 212 555 0100\r\nEND:VEVENT", "US", "is not a phone number"),
        ("+1 212 555 0100 (mobile)", "US", "has letters in it"),
        ("555 0100", "US", "is a local number in United States (US): add its area code"),
        ("+999 1234 5678", "US", "starts with an unknown country code"),
        ("212 555 0100", None, "has no country code (+…), and the contact's country is unknown"),
    ],
)
def test_values_that_are_not_possible_numbers_are_refused(
    typed: str, region: str | None, reason: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{typed!r} {reason}")):
        read_phone(typed, region)


def test_a_possible_number_not_known_in_use_is_kept_with_a_doubt() -> None:
    phone = read_phone("+1 (555) 010-4477 ext. 12", "US")
    assert (phone.tel, phone.valid) == ("tel:+15550104477;ext=12", False)
    assert doubt(phone, "+1 (555) 010-4477 ext. 12") == (
        "'+1 (555) 010-4477 ext. 12' is not a number in use in United States (US) "
        "as far as we know; kept, check it"
    )
    assert doubt(read_phone("+1 212 555 0100", None), "+1 212 555 0100") is None


def test_zones_and_country_cells_name_their_iso_country() -> None:
    assert [zone_region(z) for z in ("Europe/Berlin", "US/Eastern", "Asia/Calcutta", "UTC")] == [
        "DE", "US", "IN", None,
    ]  # fmt: skip
    countries = ("de", "Germany", " united  states ", "UK", "United Kingdom", "Deutschland")
    assert [parse_country(c) for c in countries] == ["DE", "DE", "US", "GB", "GB", "DE"]
    with pytest.raises(ValueError, match="unknown country 'Atlantis'; expected an ISO 3166"):
        parse_country("Atlantis")


# Intake: the region of a row, rejections and warnings with file, line and field.

COUNTRY_HEADER = [*HEADER, "country"]


def dialled(path: Path, config: Config) -> dict[str, str]:
    """Contact name → the tel: URI of their number, or the field that rejected the row."""
    found: dict[str, str] = {}
    for item in read_contacts(path, config):
        if isinstance(item, Skip):
            found[item.contact_name or ""] = f"rejected: {item.field}"
        else:
            found[item.contact_name] = item.dial.tel if item.dial else ""
    return found


def test_the_region_is_the_country_cell_then_the_zone_then_the_setting(tmp_path: Path) -> None:
    rows = [
        row(contact_name="A", phone="030 1234567", timezone="America/New_York", country="DE"),
        row(contact_name="B", phone="03-5555-0199", timezone="Asia/Tokyo"),
        row(contact_name="C", phone="01 23 45 67 89", timezone=""),
        row(contact_name="D", phone="(212) 555-0100", timezone=""),
    ]
    path = write_csv(tmp_path / "c.csv", rows, header=COUNTRY_HEADER)
    assert dialled(path, Config(input=InputSettings(phone_region="FR"))) == {
        "A": "tel:+49301234567",
        "B": "tel:+81355550199",
        "C": "tel:+33123456789",
        "D": "rejected: phone",  # ten digits are too many for a French number
    }
    # Without the setting, a row without a zone is in the country of schedule.timezone.
    assert dialled(path, Config())["D"] == "tel:+12125550100"


def test_impossible_numbers_are_rejected_with_file_line_and_field(tmp_path: Path) -> None:
    rows = [
        row(contact_name="A", phone="call me"),
        row(contact_name="B", phone="12"),
        row(contact_name="C", phone="+1 212 555 0100", country="Atlantis"),
        row(contact_name="D", phone="+1 212 555 0100 extension 12"),
    ]
    path = write_csv(tmp_path / "c.csv", rows, header=COUNTRY_HEADER)
    status, out, err = invoke("check", str(path))
    assert status == 1
    assert out.splitlines()[:3] == [
        f"{path}:2: phone: 'call me' is not a phone number",
        f"{path}:3: phone: '12' has too few digits for a number in United States (US)",
        f"{path}:4: country: unknown country 'Atlantis'; expected an ISO 3166 code such as DE or "
        "GB, or an English name such as Germany",
    ]
    assert "3 rejected" in out and "Warning" not in err


def test_a_number_not_known_in_use_is_kept_with_one_warning_line(tmp_path: Path) -> None:
    rows = [row(contact_name="A"), row(contact_name="B", phone="+1 (555) 010-4477")]
    path = write_csv(tmp_path / "c.csv", rows)
    status, out, err = invoke("check", str(path))
    assert status == 0 and "0 rejected" in out
    assert err.splitlines() == [
        f"Warning: {path}:3: phone: '+1 (555) 010-4477' is not a number in use in United States "
        "(US) as far as we know; kept, check it"
    ]


# The do-not-call list compares numbers, not how they were typed.


def dropped(contacts: list[Contact], blocked: tuple[str, ...]) -> list[str]:
    _, skipped = triage(contacts, Config(drop=DropSettings(do_not_call=blocked)), "c.csv")
    return [s.contact_name or "" for s in skipped if s.reason.endswith("do-not-call list")]


def test_the_do_not_call_list_matches_the_parsed_number() -> None:
    contacts = [
        make_contact(contact_name="Plain", account_id="A-1", phone="+1 212 555 0100"),
        make_contact(contact_name="Ext", account_id="A-2", phone="+1 212 555 0100 x7"),
        make_contact(contact_name="Other", account_id="A-3", phone="+1 212 555 0101"),
    ]
    assert dropped(contacts, ("(212) 555-0100",)) == ["Plain", "Ext"]  # every extension
    assert dropped(contacts, ("+1 212 555 0100 ext. 7",)) == ["Ext"]
    assert dropped(contacts, ("+1-212-555-0101", "someone@example.com")) == ["Other"]


def test_unreadable_phone_settings_name_their_key() -> None:
    with pytest.raises(ConfigError, match=r"drop\.do_not_call.*'555 0100' is a local number"):
        parse_config({"drop": {"do_not_call": ["555 0100"]}}, "t.toml")
    with pytest.raises(ConfigError, match=r"input\.phone_region.*unknown country 'Xy'"):
        parse_config({"input": {"phone_region": "Xy"}}, "t.toml")
    # A national entry is read in input.phone_region, or in schedule.timezone's country.
    assert parse_config({"input": {"phone_region": "DE"}, "drop": {"do_not_call": ["030 1234567"]}}, "t.toml")  # fmt: skip
    config = Config(schedule=ScheduleSettings(timezone="Europe/Berlin"))
    assert config.default_region == "DE"


# End to end: the script, the calendar and the plan dial the same number.


def test_script_calendar_and_plan_agree_on_the_tel_uri(tmp_path: Path) -> None:
    typed = {
        "Ann": ("+1 212 555 0100 extension 12", "America/New_York", ""),
        "Ben": ("(212) 555-0100 x12", "America/New_York", ""),
        "Eva": ("+49 (0)30 1234567", "Europe/Berlin", ""),
        "Jan": ("030 1234567", "", "Germany"),
        "Aki": ("03-5555-0199", "Asia/Tokyo", ""),
    }
    expected = {
        "Ann": ("+1 212-555-0100 ext. 12", "tel:+12125550100;ext=12"),
        "Ben": ("+1 212-555-0100 ext. 12", "tel:+12125550100;ext=12"),
        "Eva": ("+49 30 1234567", "tel:+49301234567"),
        "Jan": ("+49 30 1234567", "tel:+49301234567"),
        "Aki": ("+81 3-5555-0199", "tel:+81355550199"),
    }
    rows = [
        row(account_id=f"A-{i}", contact_name=name, phone=phone, timezone=zone, country=country)
        for i, (name, (phone, zone, country)) in enumerate(typed.items())
    ]
    contacts = write_csv(tmp_path / "c.csv", rows, header=COUNTRY_HEADER)
    out = tmp_path / "out"
    status, _, err = invoke("generate", str(contacts), "--out", str(out), "--start", START,
                            "--now", NOW)  # fmt: skip
    assert status == 0, err
    with (out / "plan.csv").open(encoding="utf-8", newline="") as handle:
        plan = list(csv.DictReader(handle))
    events = {
        str(event["UID"]).split("@")[0]: event
        for path in (out / "calendars").glob("*.ics")
        for event in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    }
    assert {call["contact_name"] for call in plan} == set(typed)
    for call in plan:
        shown, uri = expected[call["contact_name"]]
        script = (out / call["script"]).read_text(encoding="utf-8")
        phone_line = next(line for line in script.splitlines() if line.startswith("- **Phone:**"))
        assert phone_line.startswith(f"- **Phone:** [{shown}]({uri})")
        event = events[call["id"]]
        assert (str(event["LOCATION"]), str(event["URL"])) == (shown, uri)
        assert (from_spreadsheet_cell(call["phone"]), call["tel"]) == (shown, uri)


def test_the_crm_file_keeps_the_number_as_typed(tmp_path: Path) -> None:
    rows = [row(contact_name="Ben", phone="(212) 555-0100 x12", status="lapsed",
                last_contact="2026-01-04")]  # fmt: skip
    contacts = write_csv(tmp_path / "c.csv", rows)
    out = tmp_path / "q2"
    status, _, err = invoke("campaign", str(contacts), "--out", str(out), "--from", START,
                            "--to", "2027-06-30", "--now", NOW)  # fmt: skip
    assert status == 0, err
    with (out / "accounts.next.csv").open(encoding="utf-8", newline="") as handle:
        (written,) = csv.DictReader(handle)
    assert written["phone"] == "(212) 555-0100 x12"
