"""Day sheets (DIR/sheets/<rep>/<day>.html) and `outreach agenda`: a rep's day on paper and in
the terminal, matching plan.csv call for call."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from outreach.model.zones import spoken_zone
from outreach.render.sheets import brief, rep_days, sheet_call, sheet_html
from tests.factories import (
    EXAMPLE,
    SETTINGS,
    at,
    invoke,
    make_call,
    make_contact,
    make_handover_call,
)
from tests.terminal import command, in_terminal

GENERATE = ("--config", str(SETTINGS), "--start", "2027-03-08", "--now", "2027-03-01T12:00:00Z")


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    code, stdout, _ = invoke("generate", str(EXAMPLE), "--out", str(out), *GENERATE)
    assert code == 0, stdout
    return out


def plan_rows(out: Path) -> list[dict[str, str]]:
    with (out / "plan.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Australia/Sydney", "Sydney time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
        ("UTC", "UTC"),
        ("Etc/GMT+5", "GMT+5"),
    ],
)
def test_a_zone_is_named_as_a_person_says_it(zone: str, said: str) -> None:
    assert spoken_zone(zone) == said


def test_the_brief_names_the_incident_only_where_the_scripts_may() -> None:
    contact = make_contact(notes="Escalated\nto her CFO")
    apology = brief(make_call(contact, "apology"))
    assert apology[0].startswith("Upset: Spring order of 400 units")
    assert apology[2] == "Escalated to her CFO"  # a brief is three lines, whatever a cell holds
    assert brief(make_call(contact, "follow_up"))[0] == (
        "Check it was done: Dispatch now confirms every carrier change with the account team"
    )
    for play in ("small_step", "substantial_offer", "keep_in_touch"):  # rule 8
        assert "Spring order" not in " ".join(brief(make_call(contact, play)))
    assert "handed over from Marcus Chen" in brief(make_handover_call(contact))[1]


def test_a_rep_s_day_is_the_rep_s_date_not_the_contact_s() -> None:
    sydney = make_contact(timezone="Australia/Sydney", phone="+61 2 5550 1234")
    # 09:00 on Tuesday in Sydney is still Monday evening for a rep in New York
    calls = [
        sheet_call(make_call(sydney, start=at(2026, 11, 17, 9, zone="Australia/Sydney"))),
        sheet_call(make_call(sydney, "follow_up", start=at(2026, 11, 17, 9, 0))),
    ]
    days = [(day.isoformat(), len(of)) for day, of in rep_days(calls, "America/New_York")]
    assert days == [("2026-11-16", 1), ("2026-11-17", 1)]


def test_a_sheet_shows_csv_values_as_text_and_loads_nothing() -> None:
    contact = make_contact(
        contact_name='<img src=x onerror="alert(1)">', company="</td><script>x()</script>"
    )
    call = sheet_call(make_call(contact))
    page = sheet_html("Marcus <b>Chen</b>", "America/New_York", call.start.date(), [call])
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;img src=x" in page and "&lt;/td&gt;&lt;script&gt;" in page
    assert "http" not in page.replace('href="tel:', "")  # no network: nothing to fetch
    assert 'lang="en"' in page and 'scope="row"' in page
    assert "break-inside: avoid" in page
    assert f'<a href="{call.tel}">{call.phone}</a>' in page


def test_every_rep_day_of_the_plan_has_its_sheet_with_its_calls(example_out: Path) -> None:
    rows = plan_rows(example_out)
    sheets = {
        path.relative_to(example_out).as_posix(): path.read_text(encoding="utf-8")
        for path in (example_out / "sheets").rglob("*.html")
    }
    manifest = json.loads((example_out / ".outreach-manifest.json").read_text(encoding="utf-8"))
    assert set(sheets) <= set(manifest["files"])
    shown = {
        call_id: name
        for name, page in sheets.items()
        for call_id in (r["id"] for r in rows)
        if call_id in page
    }
    assert len(shown) == len(rows)  # every call on a sheet, none lost
    # Priya Nair works from Singapore: her day is her date, in her time order
    priya = sheets["sheets/priya-nair/2027-03-08.html"]
    names = ["Harriet Cole", "Kenji Watanabe", "Ananya Iyer"]
    assert sorted(names, key=priya.index) == names
    assert "12:00 Sydney time" in priya and "10:30 Tokyo time" in priya


def test_agenda_prints_a_rep_s_day_from_the_plan(example_out: Path) -> None:
    base = ("--config", str(SETTINGS))
    code, out, _ = invoke(
        "agenda", str(example_out), "--rep", "priya nair", "--day", "2027-03-08", *base
    )
    assert code == 0
    assert out.startswith("Priya Nair: 3 calls on Monday 8 March 2027 (Singapore time)\n")
    assert "09:00  Harriet Cole, Bluegum Logistics  (their time 12:00 Sydney time, 30 min)" in out
    assert "apology · +61 2 5550 1234 · value AUD 31,500 · id 688ddaba915ed3679c63" in out
    # today where the rep is: 8 March 00:30 in Singapore is still 7 March in New York
    code, out, _ = invoke("agenda", str(example_out), "--now", "2027-03-07T16:30:00Z", *base)
    assert code == 0
    assert "Priya Nair: 3 calls on Monday 8 March 2027" in out
    assert "Marcus Chen: no calls on Sunday 7 March 2027; next calls on Monday 8 March 2027" in out
    code, _, err = invoke("agenda", str(example_out), "--rep", "Nobody", *base)
    assert code == 2
    assert err.strip() == (
        f"Error: {example_out / 'plan.csv'}: no calls for a rep 'Nobody'; its reps: "
        "'Marcus Chen', 'Priya Nair', 'Sofia Alvarez', 'Tom Becker'"
    )


def test_agenda_names_the_line_of_a_damaged_plan(example_out: Path, tmp_path: Path) -> None:
    text = (example_out / "plan.csv").read_text(encoding="utf-8")
    (tmp_path / "plan.csv").write_text(text.replace("Asia/Tokyo", "Mars/Olympus"), encoding="utf-8")
    code, _, err = invoke("agenda", str(tmp_path), "--config", str(SETTINGS))
    assert code == 2
    first = next(n for n, line in enumerate(text.splitlines(), 1) if "Asia/Tokyo" in line)
    assert err.startswith(f"Error: {tmp_path / 'plan.csv'}:{first}: ")
    assert "unknown time zone 'Mars/Olympus'" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_agenda_in_a_terminal(example_out: Path, tmp_path: Path) -> None:
    args = ["agenda", str(example_out), "--rep", "Tom Becker", "--day", "2027-03-08"]
    run = in_terminal(command(*args, "--config", str(SETTINGS)), tmp_path)
    assert run.status == 0 and not run.traceback
    assert "Tom Becker: 4 calls on Monday 8 March 2027 (Berlin time)" in run.screen
    assert "15:00  Chloe Martin, Harbourside Hotels  (their time 09:00 Toronto time" in run.screen
