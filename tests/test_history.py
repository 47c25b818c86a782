"""What call outcomes mean for the next plan (issue 16, points 1-6): `plan`, `generate` and
`campaign` read `--outcomes FILE` (and, with `--previous DIR`, DIR/outcomes.csv), and every
contact goes on from where their calls stand."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from outreach.config import parse_config
from outreach.errors import ConfigError
from outreach.model.plan import call_id
from tests.factories import invoke, read_csv, row, write_csv

LATER = "2027-03-10T22:00:00+00:00"
"""The clock of the rerun: Wednesday evening, the week's first calls were made."""
START = "2027-03-11"


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    """Two upset contacts of one account (apologies on Monday 8 March), and a lapsed one."""
    return write_csv(tmp_path / "c.csv", [
        row(), row(contact_name="Omar Haddad"),
        row(account_id="A-2", company="Birch Ltd", contact_name="Lee Park", status="lapsed"),
    ])  # fmt: skip


def cid(play: str, step: int = 1, name: str = "Dana Ruiz", account: str = "A-1") -> str:
    return call_id(account, name, play, step)


def outcomes_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "outcomes.csv"
    path.write_text("id,outcome,at,callback\n" + "".join(f"{line}\n" for line in lines), "utf-8")
    return path


def plan(contacts: Path, *args: str) -> tuple[int, list[dict[str, str]], str]:
    code, out, err = invoke("plan", str(contacts), "--format", "csv", "--now", LATER,
                            "--start", START, *args)  # fmt: skip
    return code, list(csv.DictReader(io.StringIO(out))), err


def calls_of(rows: list[dict[str, str]], name: str = "Dana Ruiz") -> list[tuple[str, str, str]]:
    """(play step, start, flags) of one contact's calls, in order."""
    return [(f"{r['play']} {r['step']}", r["start"], r["flags"])
            for r in rows if r["contact_name"] == name]  # fmt: skip


def test_without_outcomes_the_plan_is_as_before(contacts: Path, tmp_path: Path) -> None:
    assert plan(contacts) == plan(contacts, "--outcomes", str(outcomes_file(tmp_path)))


def test_a_call_made_is_never_planned_again_and_the_next_counts_from_it(
    contacts: Path, tmp_path: Path
) -> None:
    made = outcomes_file(tmp_path, f"{cid('apology')},reached,2027-03-09 16:00")
    code, rows, err = plan(contacts, "--outcomes", str(made))
    assert code == 0, err
    dana = calls_of(rows)
    assert [play for play, _, _ in dana][:2] == ["follow_up 1", "small_step 1"]
    # three business days after Tuesday 9 March, when the apology was made
    assert dana[0][1] == "2027-03-12T09:00:00-05:00"


def test_after_a_handover_only_the_first_call_reaching_them_introduces_the_new_rep(
    tmp_path: Path,
) -> None:
    handed = write_csv(tmp_path / "c.csv", [row(handoff_to="Priya Nair")])
    _, before, _ = plan(handed)
    assert [flags for _, _, flags in calls_of(before)][:2] == ["handover introduce", "handover"]
    missed = outcomes_file(tmp_path, f"{cid('apology')},voicemail,2027-03-10 09:05")
    _, retried, _ = plan(handed, "--outcomes", str(missed))
    assert calls_of(retried)[0][2] == "handover introduce retry"
    made = outcomes_file(tmp_path, f"{cid('apology')},reached,2027-03-09 16:00")
    code, after, err = plan(handed, "--outcomes", str(made))
    assert code == 0, err
    assert all("introduce" not in flags for _, _, flags in calls_of(after))


def test_voicemail_retries_the_apology_next_business_day_at_another_hour(
    contacts: Path, tmp_path: Path
) -> None:
    missed = outcomes_file(tmp_path, f"{cid('apology')},voicemail,2027-03-10 09:05")
    code, rows, err = plan(contacts, "--outcomes", str(missed))
    assert code == 0, err
    play, start, flags = calls_of(rows)[0]
    assert (play, flags) == ("apology 1", "retry")
    assert start.startswith("2027-03-11T") and not start.startswith("2027-03-11T09:")
    assert cid("apology") in {r["id"] for r in rows}  # the same call: its UID is kept


def test_other_plays_are_retried_within_retry_days(contacts: Path, tmp_path: Path) -> None:
    missed = outcomes_file(
        tmp_path,
        f"{cid('apology')},reached,2027-03-01 10:00",
        f"{cid('follow_up')},no_answer,2027-03-10 11:00",
    )
    _, rows, _ = plan(contacts, "--outcomes", str(missed))
    play, start, flags = calls_of(rows)[0]
    assert (play, flags) == ("follow_up 1", "retry")
    assert start == "2027-03-12T09:00:00-05:00"  # two business days after Wednesday


def test_after_max_tries_the_contact_is_unreachable(contacts: Path, tmp_path: Path) -> None:
    tries = outcomes_file(
        tmp_path,
        f"{cid('apology')},voicemail,2027-03-08 09:00",
        f"{cid('apology')},No Answer,2027-03-09 10:00",
        f"{cid('apology')},voicemail,2027-03-10 11:00",
    )
    out = tmp_path / "out"
    code, _, err = invoke("generate", str(contacts), "--out", str(out), "--now", LATER,
                          "--start", START, "--outcomes", str(tries), "-q")  # fmt: skip
    assert code == 0, err
    assert calls_of(read_csv(out / "plan.csv")) == []
    assert calls_of(read_csv(out / "plan.csv"), "Omar Haddad")  # the account goes on
    (skip,) = [s for s in read_csv(out / "skipped.csv") if s["kind"] == "unreachable"]
    assert skip["contact_name"] == "Dana Ruiz"
    assert "3 tries" in skip["reason"] and "2027-03-09T10:00:00-05:00" in skip["reason"]


def test_a_callback_is_planned_at_the_time_asked_never_moved(
    contacts: Path, tmp_path: Path
) -> None:
    asked = outcomes_file(tmp_path, f"{cid('apology')},callback,2027-03-10 09:00,2027-03-11 19:30")
    _, rows, _ = plan(contacts, "--outcomes", str(asked))
    assert calls_of(rows)[0] == ("apology 1", "2027-03-11T19:30:00-05:00",
                                 "outside_rep_hours callback")  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "kind", "says"),
    [
        ("refused", "refused", "asked not to be called again"),
        ("Do Not Call", "refused", "asked not to be called again"),
        ("wrong_number", "wrong number", "find the right number"),
        ("left_company", "left company", "find the successor"),
    ],
)
def test_stopping_outcomes_stop_the_contact_not_the_account(
    contacts: Path, tmp_path: Path, outcome: str, kind: str, says: str
) -> None:
    stop = outcomes_file(tmp_path, f"{cid('apology')},{outcome},2027-03-08 09:10")
    code, rows, err = plan(contacts, "--outcomes", str(stop))
    assert code == 0, err
    assert calls_of(rows) == []
    assert calls_of(rows, "Omar Haddad")
    assert f"{kind}: " in err and says in err and "2027-03-08T09:10:00-05:00" in err


def plays_after(contacts: Path, tmp_path: Path, *lines: str, name: str = "Dana Ruiz") -> list[str]:
    code, rows, err = plan(contacts, "--outcomes", str(outcomes_file(tmp_path, *lines)))
    assert code == 0, err
    return [f"{play} {flags}".strip() for play, _, flags in calls_of(rows, name)]


def lee(play: str) -> str:
    return cid(play, name="Lee Park", account="A-2")


def test_clear_the_air_agreed_climbs_the_trust_ladder(contacts: Path, tmp_path: Path) -> None:
    plays = plays_after(contacts, tmp_path, f"{lee('clear_the_air')},agreed,2027-03-09 10:00",
                        name="Lee Park")  # fmt: skip
    assert plays[:3] == ["small_step 1", "small_step 2",
                         "substantial_offer 1 only_if_small_steps_went_well"]  # fmt: skip


def test_clear_the_air_declined_keeps_in_touch(contacts: Path, tmp_path: Path) -> None:
    plays = plays_after(contacts, tmp_path, f"{lee('clear_the_air')},declined,2027-03-09 10:00",
                        name="Lee Park")  # fmt: skip
    assert plays == [f"keep_in_touch {n}" for n in range(1, 5)]


def test_a_small_step_declined_gets_one_more_then_keep_in_touch(
    contacts: Path, tmp_path: Path
) -> None:
    plays = plays_after(
        contacts, tmp_path,
        f"{cid('apology')},reached,2027-01-04 10:00",
        f"{cid('follow_up')},reached,2027-01-07 10:00",
        f"{cid('small_step')},declined,2027-03-09 10:00",
    )  # fmt: skip
    assert plays == ["small_step 2", *(f"keep_in_touch {n}" for n in range(1, 5))]


def test_the_offer_is_confirmed_once_the_last_small_step_was_agreed(
    contacts: Path, tmp_path: Path
) -> None:
    plays = plays_after(
        contacts, tmp_path,
        f"{cid('apology')},reached,2027-01-04 10:00",
        f"{cid('follow_up')},reached,2027-01-07 10:00",
        f"{cid('small_step')},agreed,2027-02-09 10:00",
        f"{cid('small_step', 2)},agreed,2027-03-09 10:00",
    )  # fmt: skip
    assert plays == ["substantial_offer 1"]


def test_an_apology_declined_moves_to_the_lapsed_track(contacts: Path, tmp_path: Path) -> None:
    plays = plays_after(contacts, tmp_path, f"{cid('apology')},declined,2027-03-08 10:00")
    assert plays == ["clear_the_air 1", *(f"keep_in_touch {n}" for n in range(1, 5))]


def test_a_follow_up_declined_gets_another_before_the_small_steps(
    contacts: Path, tmp_path: Path
) -> None:
    _, rows, _ = plan(contacts, "--outcomes", str(outcomes_file(
        tmp_path,
        f"{cid('apology')},reached,2027-03-01 10:00",
        f"{cid('follow_up')},declined,2027-03-09 10:00",
    )))  # fmt: skip
    dana = calls_of(rows)
    assert [play for play, _, _ in dana][:2] == ["follow_up 2", "small_step 1"]
    assert dana[0][1] == "2027-03-12T09:00:00-05:00"  # plays.follow_up_days after Tuesday


@pytest.mark.parametrize("how", ["substantial_offer,agreed", "follow_up,won_back"])
def test_a_won_back_account_gets_quarterly_check_ins(
    contacts: Path, tmp_path: Path, how: str
) -> None:
    play, outcome = how.split(",")
    lines = [f"{cid('apology')},reached,2026-12-01 10:00"]
    if play == "substantial_offer":
        lines += [f"{cid('follow_up')},reached,2026-12-07 10:00",
                  f"{cid('small_step')},agreed,2027-01-07 10:00",
                  f"{cid('small_step', 2)},agreed,2027-02-07 10:00"]  # fmt: skip
    lines.append(f"{cid(play)},{outcome},2027-03-09 10:00")
    plays = plays_after(contacts, tmp_path, *lines)
    assert plays == [f"keep_in_touch {n} won_back" for n in range(1, 5)]


def test_a_past_call_without_outcome_is_overdue_and_comes_first(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(contact_name=f"C{n}") for n in range(14)])
    out = tmp_path / "out"
    first = ("generate", str(contacts), "--out", str(out), "--start", "2027-03-08", "-q")
    assert invoke(*first, "--now", "2027-03-01T12:00:00Z")[0] == 0
    made = outcomes_file(tmp_path, *(f"{cid('apology', name=f'C{n}')},reached,2027-03-08 10:00"
                                     for n in range(12)))  # fmt: skip
    code, _, err = invoke(*first, "--now", LATER, "--previous", str(out), "--force",
                          "--outcomes", str(made), "--start", START)  # fmt: skip
    assert code == 0, err
    rows = read_csv(out / "plan.csv")
    overdue = [r for r in rows if "overdue" in r["flags"]]
    # the apologies booked for Tuesday (the thirteenth and fourteenth) were not logged
    assert {r["contact_name"] for r in overdue} == {"C12", "C13"}
    assert rows[0]["flags"] == "overdue" and rows[1]["flags"] == "overdue"


def test_bad_lines_are_named_and_exit_1_and_good_lines_count(
    contacts: Path, tmp_path: Path
) -> None:
    mixed = outcomes_file(
        tmp_path,
        f"{cid('apology')},reached,2027-03-09 16:00",
        "nope,reached,2027-03-09 16:00",
        f"{cid('apology', name='Omar Haddad')},maybe,2027-03-09 16:00",
        f"{cid('apology', name='Omar Haddad')},reached,yesterday",
    )
    code, rows, err = plan(contacts, "--outcomes", str(mixed))
    assert code == 1
    assert f"{mixed}:3: id: no call 'nope'" in err
    assert f"{mixed}:4: outcome: unknown outcome 'maybe'" in err
    assert f"{mixed}:5: at: " in err
    assert calls_of(rows)[0][0] == "follow_up 1"


def test_generate_reads_the_previous_folders_outcomes(contacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ("generate", str(contacts), "--out", str(out), "--start", "2027-03-08", "-q")
    assert invoke(*first, "--now", "2027-03-01T12:00:00Z")[0] == 0
    assert invoke("log", str(out), cid("apology"), "refused", "--now", LATER)[0] == 0
    code, _, err = invoke(*first, "--now", LATER, "--previous", str(out), "--force")
    assert code == 0, err
    assert not calls_of(read_csv(out / "plan.csv"))
    assert [s["kind"] for s in read_csv(out / "skipped.csv")] == ["refused"]
    ics = (out / "calendars" / "sam-rep.ics").read_text(encoding="utf-8")
    assert "STATUS:CANCELLED" in ics  # Dana's later calls
    assert f"UID:{cid('apology')}" not in ics  # the apology was made: not cancelled


def test_same_input_outcomes_and_clock_give_the_same_files(contacts: Path, tmp_path: Path) -> None:
    made = outcomes_file(tmp_path, f"{cid('apology')},voicemail,2027-03-09 16:00",
                         f"{lee('clear_the_air')},agreed,2027-03-09 10:00")  # fmt: skip
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        assert invoke("generate", str(contacts), "--out", str(folder), "--now", LATER,
                      "--outcomes", str(made), "-q")[0] == 0  # fmt: skip
    files = sorted(p.relative_to(folders[0]) for p in folders[0].rglob("*") if p.is_file())
    assert files
    for name in files:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name


@pytest.mark.parametrize(
    ("key", "value"), [("retry_days", -1), ("max_tries", 0), ("max_tries", 21)]
)
def test_retry_settings_are_checked(key: str, value: int) -> None:
    with pytest.raises(ConfigError, match=f"plays.{key}"):
        parse_config({"plays": {key: value}}, "outreach.toml")


def test_retry_settings_default() -> None:
    plays = parse_config({}, "outreach.toml").plays
    assert (plays.retry_days, plays.max_tries) == (2, 3)


def test_a_retried_call_keeps_its_event_and_moves(contacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ("generate", str(contacts), "--out", str(out), "--start", "2027-03-08", "-q")
    assert invoke(*first, "--now", "2027-03-01T12:00:00Z")[0] == 0
    assert invoke("log", str(out), cid("apology"), "voicemail", "--at", "2027-03-08 09:05",
                  "--now", LATER)[0] == 0  # fmt: skip
    assert invoke(*first, "--now", LATER, "--previous", str(out), "--force")[0] == 0
    (retry,) = [r for r in read_csv(out / "plan.csv") if r["id"] == cid("apology")]
    assert (retry["flags"], retry["sequence"]) == ("retry", "1")
    ics = (out / "calendars" / "sam-rep.ics").read_text(encoding="utf-8")
    event = ics.split(f"UID:{cid('apology')}")[1].split("END:VEVENT")[0]
    assert "SEQUENCE:1" in event and "STATUS:CANCELLED" not in event


def test_the_next_quarter_continues_from_the_last_call_made(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(), row(contact_name="Omar Haddad")])
    q1, q2 = tmp_path / "q1", tmp_path / "q2"
    assert invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out", str(q1),
                  "--now", "2027-01-04T03:00:00Z", "-q")[0] == 0  # fmt: skip
    clock = ("--now", "2027-03-31T12:00:00Z")
    assert (
        invoke("log", str(q1), cid("apology"), "voicemail", "--at", "2027-01-04 09:02", *clock)[0]
        == 0
    )
    omar = cid("apology", name="Omar Haddad")
    assert invoke("log", str(q1), omar, "reached", "--at", "2027-01-04 09:40", *clock)[0] == 0
    code, _, err = invoke("campaign", str(q1 / "accounts.next.csv"), "--quarter", "2027Q2",
                          "--out", str(q2), "--now", "2027-04-01T03:00:00Z",
                          "--outcomes", str(q1 / "outcomes.csv"), "-q")  # fmt: skip
    assert code == 0, err
    rows = read_csv(q2 / "plan.csv")
    # the apology that went unanswered comes again; Omar goes on to his follow-up
    assert calls_of(rows)[0][0::2] == ("apology 1", "retry")
    assert calls_of(rows, "Omar Haddad")[0][0] == "follow_up 1"
    crm = {r["contact_name"]: r for r in read_csv(q2 / "accounts.next.csv")}
    columns = ("outreach_stage", "outreach_stage_date", "outreach_last_outcome",
               "outreach_last_outcome_at", "outreach_attempts")  # fmt: skip
    assert [crm["Dana Ruiz"][c] for c in columns] == [
        "", "", "voicemail", "2027-01-04T09:02:00-05:00", "1"]  # fmt: skip
    assert [crm["Omar Haddad"][c] for c in columns] == [
        "apology", "2027-01-04", "reached", "2027-01-04T09:40:00-05:00", "0"]  # fmt: skip


def test_campaign_without_outcomes_writes_no_outcome_columns(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row()])
    assert invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out", str(tmp_path / "q"),
                  "--now", "2027-01-04T03:00:00Z", "-q")[0] == 0  # fmt: skip
    assert "outreach_last_outcome" not in read_csv(tmp_path / "q" / "accounts.next.csv")[0]


def test_unreached_tries_counted_by_a_campaign_count_for_max_attempts(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [{**row(status="lapsed"), "attempts": "3", "outreach_attempts": "2"}],
                         header=[*row(), "outreach_attempts"])  # fmt: skip
    code, _, err = invoke("plan", str(contacts), "--now", LATER)
    assert code == 0
    assert "attempts" in err and "dropped" in err


def test_the_summary_and_report_show_what_the_calls_made_came_to(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(), row(contact_name="Omar Haddad")])
    made = outcomes_file(
        tmp_path,
        f"{cid('apology')},voicemail,2027-01-04 09:00",
        f"{cid('apology')},reached,2027-01-05 10:00",
        f"{cid('apology', name='Omar Haddad')},Do Not Call,2027-01-04 09:30",
    )
    code, out, err = invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out",
                            str(tmp_path / "q"), "--now", "2027-01-06T03:00:00Z",
                            "--outcomes", str(made))  # fmt: skip
    assert code == 0, err
    assert ("Calls made, by rep:\n  Sam Rep: 3 made, 2 reached (67%); apology 1 reached, "
            "1 voicemail, 1 refused; won back 0, unreachable 0, refused 1\n") in out  # fmt: skip
    report = (tmp_path / "q" / "report.html").read_text(encoding="utf-8")
    assert (
        "<h2>Calls made</h2>" in report and "apology: 1 reached, 1 voicemail, 1 refused" in report
    )
    assert "<h3>Refused: 1 row, 1 upset</h3>" in report
    funnel = report.split("From planned to won back, per rep: the figures as a table")[1]
    cells = [f'<td class="n">{n}</td>' for n in (3, 2, 0, 0)]  # made, reached, agreed, won back
    assert re.search(r'<th scope="row">Sam Rep</th><td class="n">\d+</td>' + "".join(cells), funnel)
