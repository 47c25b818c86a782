from __future__ import annotations

import csv
import email
import multiprocessing
import shutil
from pathlib import Path

import icalendar
import pytest

from tests.factories import EXAMPLE, SETTINGS, invoke, read_csv, row, team_rows, write_csv

NOW = "2027-03-01T12:00:00+00:00"


def generate(out: Path, *extra: str, contacts: Path = EXAMPLE) -> tuple[int, str, str]:
    return invoke("generate", str(contacts), "--out", str(out), "--config", str(SETTINGS),
                  "--start", "2027-03-08", "--now", NOW, *extra)  # fmt: skip


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_row_of_the_example_is_planned_or_skipped(tmp_path: Path) -> None:
    code, out, _ = generate(tmp_path / "out", "--invites")
    assert code == 0, out
    plan = read_csv(tmp_path / "out/plan.csv")
    skipped = read_csv(tmp_path / "out/skipped.csv")
    rows = sum(1 for _ in csv.DictReader(EXAMPLE.open(encoding="utf-8")))
    planned = {(r["account_id"], r["contact_name"]) for r in plan}
    assert len(planned) + len(skipped) == rows
    for call in plan:
        script = tmp_path / "out" / call["script"]
        assert script.is_file() and call["contact_name"] in script.read_text(encoding="utf-8")
    reps = {call["owner"] for call in plan}
    assert sorted(p.name for p in (tmp_path / "out/calendars").iterdir()) == sorted(
        f"{rep.lower().replace(' ', '-')}.ics" for rep in reps
    )
    assert list((tmp_path / "out/invites").rglob("*.eml"))
    assert "calls for 4 reps" in out


def test_calendar_events_match_plan_csv(tmp_path: Path) -> None:
    generate(tmp_path / "out")
    plan = {r["id"]: r for r in read_csv(tmp_path / "out/plan.csv")}
    seen = set()
    for path in (tmp_path / "out/calendars").glob("*.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in calendar.walk("VEVENT"):
            call_id = str(event["UID"]).split("@")[0]
            row = plan[call_id]
            seen.add(call_id)
            assert event.decoded("DTSTART").isoformat() == row["start"]
            assert event.decoded("DTEND").isoformat() == row["end"]
            assert str(event["DTSTART"].params["TZID"]) == row["timezone"]
            assert event.decoded("SEQUENCE") == int(row["sequence"]) == 0
    assert seen == set(plan)


def test_the_same_input_and_clock_give_byte_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", "--invites")
    generate(tmp_path / "b", "--invites")
    assert files(tmp_path / "a") == files(tmp_path / "b")
    env = {"SOURCE_DATE_EPOCH": "1772366400"}  # 2026-03-01T12:00:00Z
    for name in ("c", "d"):
        invoke("generate", str(EXAMPLE), "--out", str(tmp_path / name), "--config", str(SETTINGS),
               "--start", "2027-03-08", env=env)  # fmt: skip
    assert files(tmp_path / "c") == files(tmp_path / "d")
    assert b"DTSTAMP:20260301T120000Z" in (tmp_path / "c/calendars/tom-becker.ics").read_bytes()


def test_a_folder_with_foreign_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    code, _, err = generate(out)
    assert code == 2 and "did not write (notes.md)" in err and "--force" in err
    assert files(out) == {"notes.md": b"mine"}
    code, _, _ = generate(out, "--force")
    assert code == 0 and (out / "notes.md").read_text() == "mine"


def test_a_rerun_keeps_uids_and_raises_sequence_only_for_moved_calls(tmp_path: Path) -> None:
    generate(tmp_path / "one")
    first = {r["id"]: r for r in read_csv(tmp_path / "one/plan.csv")}
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    moved = [line for line in lines if "Harriet Cole" not in line]  # one contact gone
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("".join(moved), encoding="utf-8")
    code, _, _ = generate(tmp_path / "two", "--previous", str(tmp_path / "one"), contacts=smaller)
    assert code == 0
    second = {r["id"]: r for r in read_csv(tmp_path / "two/plan.csv")}
    for call_id, now in second.items():
        before = first[call_id]
        same = (before["start"], before["digest"]) == (now["start"], now["digest"])
        assert int(now["sequence"]) == (0 if same else 1)
    assert {int(r["sequence"]) for r in second.values()} == {0, 1}  # some moved, some did not
    gone = set(first) - set(second)
    assert gone and all(first[i]["contact_name"] == "Harriet Cole" for i in gone)
    calendar = icalendar.Calendar.from_ical(
        (tmp_path / "two/calendars/priya-nair.ics").read_bytes()
    )
    cancelled = {
        str(e["UID"]).split("@")[0]: e
        for e in calendar.walk("VEVENT")
        if e["STATUS"] == "CANCELLED"
    }
    assert set(cancelled) == gone
    assert all(e.decoded("SEQUENCE") == 1 for e in cancelled.values())


def test_invitations_are_drafts_with_one_event(tmp_path: Path) -> None:
    generate(tmp_path / "out", "--invites")
    drafts = sorted((tmp_path / "out/invites").rglob("*.eml"))
    plan = read_csv(tmp_path / "out/plan.csv")
    invited = [
        r
        for r in plan
        if r["play"] in ("clear_the_air", "keep_in_touch") and r["contact_name"] != "Lukas Brandt"
    ]
    assert len(drafts) == len(invited)
    message = email.message_from_bytes(drafts[0].read_bytes())
    assert message["X-Unsent"] == "1"
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
    attachment = parts[0].get_payload(decode=True)
    assert isinstance(attachment, bytes)
    assert len(icalendar.Calendar.from_ical(attachment).walk("VEVENT")) == 1


def test_a_rep_without_an_email_gets_a_warning_not_invitations(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(status="lapsed", last_contact="2026-01-01")])
    code, _, err = invoke("generate", str(path), "--out", str(tmp_path / "out"), "--invites", "--now", NOW,
                          "--start", "2027-03-08")  # fmt: skip
    assert code == 0
    assert "Warning: no invitations for Sam Rep's contacts" in err
    assert not (tmp_path / "out/invites").exists()


def test_rejected_rows_exit_1_and_are_listed(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(), row(contact_name="B", status="angry")])
    code, _, _ = invoke("generate", str(path), "--out", str(tmp_path / "out"), "--now", NOW)
    assert code == 1
    skipped = read_csv(tmp_path / "out/skipped.csv")
    assert [(r["line"], r["kind"], r["field"]) for r in skipped] == [("3", "rejected", "status")]


def test_preview_prints_the_scripts_of_one_account() -> None:
    code, out, _ = invoke("preview", str(EXAMPLE), "--account", "A-1001", "--contact", "dana ruiz",
                          "--play", "apology", "--start", "2027-03-08", "--config", str(SETTINGS))  # fmt: skip
    assert code == 0
    assert out.startswith("# Apology call: Dana Ruiz, Northwind Traders")
    assert "Omar Haddad" not in out
    code, _, err = invoke("preview", str(EXAMPLE), "--account", "nope")
    assert code == 1 and "no account 'nope' in" in err


@pytest.mark.parametrize("start", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_several_processes_write_the_same_files_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    import outreach.output.workers

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(outreach.output.workers, "CONTEXT", multiprocessing.get_context(start))
    monkeypatch.setattr(outreach.output.workers, "PARALLEL_FROM", 0)
    path = write_csv(tmp_path / "c.csv", team_rows())
    for jobs in ("1", "2", "3"):
        code, out, _ = invoke("generate", str(path), "--out", str(tmp_path / jobs), "--now", NOW,
                              "--start", "2027-03-08", "--jobs", jobs, "--invites")  # fmt: skip
        assert code == 0, out
    assert files(tmp_path / "1") == files(tmp_path / "2") == files(tmp_path / "3")
    assert len(read_csv(tmp_path / "2/plan.csv")) == 150


def test_force_stops_before_writing_when_a_users_file_is_in_the_way(tmp_path: Path) -> None:
    """Script names are decided rep by rep, but a clash with a user's file is found before
    the first file is written, not halfway through the reps."""
    path = write_csv(tmp_path / "c.csv", team_rows())
    args = ("--now", NOW, "--start", "2027-03-08", "--quiet")
    code, _, _ = invoke("generate", str(path), "--out", str(tmp_path / "first"), *args)
    assert code == 0
    last_script = sorted(read_csv(tmp_path / "first/plan.csv"), key=lambda r: r["owner"])[-1]
    mine = tmp_path / "out" / last_script["script"]
    mine.parent.mkdir(parents=True)
    mine.write_text("my notes")
    code, _, err = invoke("generate", str(path), "--out", str(tmp_path / "out"), "--force", *args)
    assert code == 2 and "will not replace files outreach did not write" in err
    assert mine.read_text() == "my notes"
    assert not (tmp_path / "out/calendars").exists()
    assert [p for p in (tmp_path / "out/scripts").rglob("*") if p.is_file()] == [mine]


@pytest.mark.slow
def test_a_rerun_into_its_own_folder_rewrites_only_what_changed(tmp_path: Path) -> None:
    """--previous out --out out: the files are those of a run into an empty folder, and the
    script of a call that did not change is the very file the first run wrote; on the same
    clock (its events copied) and on another (its events made again)."""
    rows = team_rows(40)
    out, before = tmp_path / "out", tmp_path / "before"
    assert generate(out, contacts=write_csv(tmp_path / "one.csv", rows))[0] == 0
    rows[3] = {**rows[3], "contact_title": "Head of Buying"}
    changed = write_csv(tmp_path / "two.csv", rows)
    scripts = {r["contact_name"]: out / r["script"] for r in read_csv(out / "plan.csv")}
    scripts["C10"].write_text("my own notes")  # --force replaces an edit, as a fresh run does
    kept = scripts["C20"].stat().st_ino
    for clock in (NOW, "2027-03-01T13:00:00+00:00"):
        shutil.rmtree(before, ignore_errors=True)
        shutil.copytree(out, before)
        rerun = ("--previous", str(out), "--force", "--now", clock)
        assert generate(out, *rerun, contacts=changed)[0] == 0
        fresh = tmp_path / f"fresh-{clock[11:13]}"
        assert generate(fresh, "--previous", str(before), "--now", clock, contacts=changed)[0] == 0
        assert files(out) == files(fresh)
        assert scripts["C20"].stat().st_ino == kept
    sequences = {(r["contact_name"], r["sequence"]) for r in read_csv(out / "plan.csv")}
    assert {name for name, sequence in sequences if sequence != "0"} == {"C3"}
