from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from outreach.config import parse_config
from outreach.errors import InputError
from outreach.intake import cells
from outreach.intake.contacts import read_contacts
from outreach.model.money import Money
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config, InputSettings
from tests.factories import HEADER, row, write_csv


def read(path: Path, config: Config | None = None) -> list[Contact | Skip]:
    return list(read_contacts(path, config or Config()))


def only(items: list[Contact | Skip]) -> Contact | Skip:
    assert len(items) == 1, items
    return items[0]


def test_a_good_row_becomes_a_typed_contact(tmp_path: Path) -> None:
    contact = only(read(write_csv(tmp_path / "c.csv", [row(options="Credit | Refund ||Visit")])))
    assert isinstance(contact, Contact)
    assert contact.line == 2
    assert contact.account_value == Money(Decimal(12000), "USD")
    assert contact.incident_date == date(2026, 11, 2)
    assert contact.options == ("Credit", "Refund", "Visit")
    assert contact.last_contact is None and contact.notes is None
    assert contact.phone == "+1 212 555 0100"


@pytest.mark.parametrize(
    ("typed", "day_first", "expected"),
    [
        ("2026-03-04", False, date(2026, 3, 4)),
        ("2026-03-04", True, date(2026, 3, 4)),
        ("03/04/2026", False, date(2026, 3, 4)),
        ("03/04/2026", True, date(2026, 4, 3)),
        ("4 March 2026", False, date(2026, 3, 4)),
        ("Mar 4, 2026", True, date(2026, 3, 4)),
    ],
)
def test_dates_are_read_as_people_type_them(
    tmp_path: Path, typed: str, day_first: bool, expected: date
) -> None:
    config = Config(input=InputSettings(day_first=day_first))
    contact = only(read(write_csv(tmp_path / "c.csv", [row(incident_date=typed)]), config))
    assert isinstance(contact, Contact) and contact.incident_date == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("$12,500", "USD 12500"), ("12500.00", "USD 12500.00"), ("EUR 12.500,00", "EUR 12500.00"),
     ("12 500", "USD 12500"), ("12,500 USD", "USD 12500"), ("Fr. 1.500,00", "CHF 1500.00"),
     ("1.2E+5", "USD 120000.00"), ("(0)", "USD 0"), ("85.000,00 €", "EUR 85000.00"),
     ("A$ 31,500", "AUD 31500"), ("¥9,800,000", "JPY 9800000"), ("£22,750", "GBP 22750"),
     ("chf 900", "CHF 900"), ("R$ 165.000,00", "BRL 165000.00"), ("$12 USD", "USD 12")],
)  # fmt: skip
def test_money_is_read_with_its_currency_and_separators(
    tmp_path: Path, typed: str, expected: str
) -> None:
    contact = only(read(write_csv(tmp_path / "c.csv", [row(account_value=typed)])))
    code, amount = expected.split()
    assert isinstance(contact, Contact) and contact.account_value == Money(Decimal(amount), code)


def test_a_bare_dollar_or_number_is_in_the_configured_currency(tmp_path: Path) -> None:
    config = Config(input=InputSettings(currency="AUD"))
    contacts = read(write_csv(tmp_path / "c.csv", [
        row(account_value="$500"), row(contact_name="B", account_value="500"),
        row(contact_name="C", account_value="US$500"),
    ]), config)  # fmt: skip
    assert [c.account_value.currency for c in contacts if isinstance(c, Contact) and c.account_value] == [
        "AUD", "AUD", "USD"]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("XYZ 500", "unknown currency 'XYZ'"), ("500 kr", "write the ISO code"),
     ("€500 USD", "names two currencies, EUR and USD")],
)  # fmt: skip
def test_a_currency_we_cannot_tell_is_refused(tmp_path: Path, typed: str, reason: str) -> None:
    skip = only(read(write_csv(tmp_path / "c.csv", [row(account_value=typed)])))
    assert isinstance(skip, Skip) and skip.field == "account_value" and reason in skip.reason


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("(1,200)", "is negative"), ("500-", "is negative"), ("-$5", "is negative"),
     ("12k", "cannot read"), ("1.5M", "cannot read"), ("12 Mio", "cannot read"), ("12%", "cannot read"),
     ("1e5000", "implausibly large")],
)  # fmt: skip
def test_money_that_would_be_misread_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        cells.parse_money(typed)


@pytest.mark.parametrize(
    "text", ["1" + " " * 9998 + "x", "1" * 9999 + "x", "$" + " " * 9998 + "1x", "a@" + "b" * 9998]
)
def test_no_parser_backtracks_over_a_long_cell(text: str) -> None:
    started = time.perf_counter()
    for parse in (cells.parse_money, cells.parse_count, cells.parse_email, cells.parse_date):
        with pytest.raises(ValueError) as caught:
            parse(text)
        assert len(str(caught.value)) < 120  # the cell is cut in the message
    assert time.perf_counter() - started < 1  # a quadratic pattern takes minutes here


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"status": "angry"}, "status", "unknown status 'angry'"),
        ({"incident_date": "31/31/2026"}, "incident_date", "31/31/2026"),
        ({"incident_date": "2026-02-30"}, "incident_date", "2026-02-30"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone 'Mars/Olympus'"),
        ({"company": ""}, "company", "is empty"),
        ({"fault": "theirs"}, "fault", "unknown fault 'theirs'"),
        ({"account_value": "-5"}, "account_value", "negative"),
        ({"attempts": "many"}, "attempts", "whole number"),
        ({"email": "not-an-address"}, "email", "not an e-mail address"),
    ],
)
def test_a_bad_row_is_rejected_with_line_field_and_reason(
    tmp_path: Path, overrides: dict[str, str], field: str, fragment: str
) -> None:
    items = read(
        write_csv(
            tmp_path / "c.csv", [row(contact_name="Good"), row(contact_name="Bad", **overrides)]
        )
    )
    good, bad = items
    assert isinstance(good, Contact)
    assert isinstance(bad, Skip)
    assert (bad.line, bad.field, bad.kind) == (3, field, "rejected")
    assert fragment in bad.reason
    assert bad.message().startswith(f"{tmp_path / 'c.csv'}:3: {field}: ")


def test_a_contact_repeated_in_one_account_is_rejected(tmp_path: Path) -> None:
    items = read(
        write_csv(tmp_path / "c.csv", [row(), row(contact_name="dana ruiz"), row(account_id="A-2")])
    )
    assert [type(i).__name__ for i in items] == ["Contact", "Skip", "Contact"]
    assert isinstance(items[1], Skip) and "duplicate contact" in items[1].reason


def test_rows_of_one_account_must_agree_on_the_company(tmp_path: Path) -> None:
    items = read(
        write_csv(tmp_path / "c.csv", [row(), row(contact_name="Omar", company="Other Inc")])
    )
    assert isinstance(items[1], Skip)
    assert items[1].field == "company" and "line 2" in items[1].reason


def test_suppressing_statuses_are_valid_rows(tmp_path: Path) -> None:
    items = read(
        write_csv(
            tmp_path / "c.csv",
            [row(status="Won Back"), row(contact_name="B", status="do-not-call")],
        )
    )
    assert [i.status for i in items if isinstance(i, Contact)] == ["won_back", "do_not_call"]


def test_utf8_with_excel_bom_and_semicolons(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv", [row(company="Müller GmbH")], delimiter=";", encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    contact = only(read(path))
    assert isinstance(contact, Contact) and contact.company == "Müller GmbH"


def test_tab_delimited_and_utf16(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.tsv", [row()], delimiter="\t", encoding="utf-16")
    assert isinstance(only(read(path)), Contact)


def test_headers_match_regardless_of_case_spaces_and_dashes(tmp_path: Path) -> None:
    header = [h.replace("_", " ").title() for h in HEADER]
    header[0] = "ACCOUNT-ID"
    rows = [dict(zip(header, row().values(), strict=True))]
    contact = only(read(write_csv(tmp_path / "c.csv", rows, header)))
    assert isinstance(contact, Contact) and contact.account_id == "A-1"


def test_mapped_headers_and_extra_columns(tmp_path: Path) -> None:
    header = ["Account Name", *[h for h in HEADER if h != "company"], "Region"]
    data = {**row(), "Account Name": "Mapped Ltd", "Region": "EMEA"}
    config = parse_config({"columns": {"Account Name": "company"}}, "outreach.toml")
    contact = only(read(write_csv(tmp_path / "c.csv", [data], header), config))
    assert isinstance(contact, Contact)
    assert contact.company == "Mapped Ltd"
    assert contact.extras == {"Region": "EMEA"}


def test_default_owner_makes_the_owner_column_optional(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "owner"]
    config = Config(input=InputSettings(default_owner="Pat Default"))
    contact = only(read(write_csv(tmp_path / "c.csv", [row()], header), config))
    assert isinstance(contact, Contact) and contact.owner == "Pat Default"


def test_empty_timezone_takes_the_default(tmp_path: Path) -> None:
    contact = only(read(write_csv(tmp_path / "c.csv", [row(timezone="")])))
    assert isinstance(contact, Contact) and contact.timezone == "America/New_York"


def test_multiline_cells_report_the_line_the_row_starts_on(tmp_path: Path) -> None:
    items = read(
        write_csv(
            tmp_path / "c.csv", [row(notes="one\ntwo\nthree"), row(contact_name="B", status="x")]
        )
    )
    assert isinstance(items[1], Skip) and items[1].line == 5


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "empty"),
        (
            "account_id,company\r\nA-1,Acme\r\n",
            "required columns contact_name, status, owner missing",
        ),
        (",".join(HEADER) + "\r\n", "no data rows"),
        ("account_id,company,contact_name,status,owner,Company\r\n", "both read as company"),
    ],
)
def test_file_level_faults_raise_one_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as caught:
        read(path)
    assert str(path) in str(caught.value)


def test_missing_columns_are_named_with_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Account,Who\r\nA,B\r\n", encoding="utf-8")
    with pytest.raises(InputError, match="columns found: 'Account', 'Who'"):
        read(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "absent.csv")


def test_reading_streams_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(contact_name=f"C{i}") for i in range(50)])
    stream = read_contacts(path, Config())
    first = next(stream)
    assert isinstance(first, Contact) and first.contact_name == "C0"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("€ 40.000", "40000"), ("1.234.567", "1234567"), ("0.125", "0.125"), ("12.50", "12.50")],
)
def test_a_dot_before_three_digits_groups_thousands(
    tmp_path: Path, typed: str, expected: str
) -> None:
    contact = only(read(write_csv(tmp_path / "c.csv", [row(account_value=typed)])))
    assert isinstance(contact, Contact) and contact.account_value
    assert contact.account_value.amount == Decimal(expected)


def test_dotted_dates_are_day_first_everywhere(tmp_path: Path) -> None:
    contact = only(read(write_csv(tmp_path / "c.csv", [row(incident_date="01.12.2026")])))
    assert isinstance(contact, Contact) and contact.incident_date == date(2026, 12, 1)


def test_common_crm_header_names_are_understood(tmp_path: Path) -> None:
    renamed = {"company": "Account Name", "contact_name": "Contact", "phone": "Phone Number",
               "email": "Email Address", "owner": "Account Owner"}  # fmt: skip
    header = [renamed.get(h, h) for h in HEADER]
    rows = [dict(zip(header, row().values(), strict=True))]
    contact = only(read(write_csv(tmp_path / "c.csv", rows, header)))
    assert isinstance(contact, Contact)
    assert (contact.company, contact.contact_name, contact.phone) == (
        "Acme Corp",
        "Dana Ruiz",
        "+1 212 555 0100",
    )
