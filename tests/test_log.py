"""`outreach log`: call outcomes recorded in DIR/outcomes.csv (issue 16, its interface).

One outcome from the command line, many from a file (plan.csv filled in a spreadsheet, a CRM's
export); CRM labels; every bad line as `file:line: field: reason`; lines already recorded not
added twice; two reps at once losing nothing; and no run of generate or campaign ever
removing or rewriting outcomes.csv."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outreach.config import parse_config
from outreach.errors import ConfigError
from outreach.intake.cells import parse_moment
from outreach.model.outcomes import OUTCOMES, outcome_labels, read_outcome
from tests.factories import invoke, row, write_csv
from tests.terminal import command, environment, in_terminal, piped

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"
LATER = "2027-03-10T22:00:00+00:00"
"""A clock after the first calls of the plan: Monday's and Tuesday's were made."""
HEADER = "id,outcome,at,note,callback,account_id,contact_name,play,promise,due\n"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A generate run's folder: two upset contacts of one rep, their apologies on 8 March."""
    contacts = write_csv(tmp_path / "c.csv", [row(), row(contact_name="Omar Haddad")])
    code, _, err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"),
                          "--now", NOW, "--start", START, "-q")  # fmt: skip
    assert code == 0, err
    return tmp_path / "out"


def plan_rows(out: Path) -> list[dict[str, str]]:
    with (out / "plan.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def apology(out: Path, name: str = "Dana Ruiz") -> dict[str, str]:
    return next(r for r in plan_rows(out) if r["contact_name"] == name and r["play"] == "apology")


def log(out: Path, *args: str, now: str = LATER) -> tuple[int, str, str]:
    return invoke("log", str(out), *args, "--now", now)


def test_an_outcome_is_appended_to_outcomes_csv_with_its_call(out: Path) -> None:
    call = apology(out)
    code, stdout, err = log(out, call["id"], "voicemail", "--note", "=left a message")
    assert (code, err) == (0, "")
    assert stdout == (f"Recorded: voicemail, apology call to Dana Ruiz (A-1) at "
                      f"2027-03-10T17:00:00-05:00; in {out / 'outcomes.csv'}\n")  # fmt: skip
    assert (out / "outcomes.csv").read_text(encoding="utf-8") == HEADER + (
        f"{call['id']},voicemail,2027-03-10T17:00:00-05:00,'=left a message,,A-1,Dana Ruiz,apology,,\n"
    )


def test_at_and_callback_are_the_contacts_time_unless_they_name_an_offset(out: Path) -> None:
    call = apology(out)
    code, _, err = log(out, call["id"], "Callback Requested", "--at", "2027-03-08 09:10",
                       "--callback", "2027-03-11T14:00:00Z")  # fmt: skip
    assert code == 0, err
    line = (out / "outcomes.csv").read_text(encoding="utf-8").splitlines()[1]
    assert line.split(",")[1:5] == [
        "callback", "2027-03-08T09:10:00-05:00", "", "2027-03-11T09:00:00-05:00",
    ]  # fmt: skip


def test_the_same_outcome_twice_is_recorded_once(out: Path) -> None:
    call = apology(out)
    assert log(out, call["id"], "no_answer", "--at", "2027-03-08 09:05")[0] == 0
    code, stdout, _ = log(out, call["id"], "No Answer", "--at", "2027-03-08T14:05Z")
    assert code == 0 and stdout.startswith("Already recorded: no_answer, apology call")
    assert log(out, call["id"], "no_answer", "--at", "2027-03-09 09:05")[0] == 0  # another try
    assert len((out / "outcomes.csv").read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0123456789abcdef0123", "reached"],
         "Invalid value for 'CALL_ID': no call '0123456789abcdef0123' in {out}/plan.csv"),
        (["{id}", "spoke"], "Invalid value for 'OUTCOME': unknown outcome 'spoke'; expected one of "
                            "reached, agreed, declined, voicemail, no_answer, callback, refused,"),
        (["{id}", "reached", "--at", "2027-03-11 09:00"],
         "Invalid value for '--at': 2027-03-11T09:00:00-05:00 is after the run's clock "
         "(2027-03-10T22:00:00+00:00)"),
        (["{id}", "reached", "--at", "Tuesday"],
         "Invalid value for '--at': cannot read 'Tuesday' as a date and time with a year"),
        (["{id}", "reached", "--at", "2027-03-08"],
         "Invalid value for '--at': '2027-03-08' has no time of day"),
        (["{id}", "callback"], "Invalid value for '--callback': none given: the outcome callback "
                               "needs the time the contact asked for"),
        (["{id}", "callback", "--callback", "2027-03-09 10:00"],
         "Invalid value for '--callback': 2027-03-09T10:00:00-05:00 is in the past"),
        (["{id}", "voicemail", "--callback", "2027-03-12 10:00"],
         "Invalid value for '--callback': is only for the outcome callback, not voicemail"),
        (["{id}"], "give CALL_ID and OUTCOME, or --from FILE.csv"),
        (["{id}", "reached", "--from", "x.csv"], "--from reads every outcome from the file"),
    ],
)  # fmt: skip
def test_a_bad_outcome_on_the_command_line_exits_2_with_the_reason(
    out: Path, args: list[str], message: str
) -> None:
    filled = [arg.replace("{id}", apology(out)["id"]) for arg in args]
    code, stdout, err = log(out, *filled)
    assert (code, stdout) == (2, "")
    assert f"Error: {message.replace('{out}', str(out))}" in err
    assert not (out / "outcomes.csv").exists()


def test_a_folder_without_a_plan_is_an_error(tmp_path: Path) -> None:
    code, _, err = log(tmp_path, "abc", "reached")
    assert code == 2
    assert err == (f"Error: {tmp_path / 'plan.csv'}: no plan.csv here: outreach log takes the "
                   "output folder of an earlier run\n")  # fmt: skip


@pytest.mark.parametrize(
    ("label", "outcome"),
    [("Left Voicemail", "voicemail"), ("left-voicemail", "voicemail"), ("NO_ANSWER", "no_answer"),
     ("no answer", "no_answer"), ("Connected", "reached"), ("not interested.", "declined"),
     ("Callback requested", "callback"), ("WRONG NUMBER", "wrong_number"),
     ("Do-Not-Call", "refused"), ("won back", "won_back"), ("Left company", "left_company")],
)  # fmt: skip
def test_crm_labels_match_without_regard_to_case_spaces_and_punctuation(
    label: str, outcome: str
) -> None:
    assert read_outcome(label, outcome_labels({})) == outcome


def test_the_settings_map_other_labels_and_name_the_key_of_a_bad_one() -> None:
    labels = outcome_labels(parse_config({"outcomes": {"LVM": "voicemail"}}, "s.toml").outcomes)
    assert read_outcome("lvm", labels) == "voicemail"
    with pytest.raises(ValueError, match="unknown outcome 'LM'"):
        read_outcome("LM", labels)
    with pytest.raises(ConfigError, match=r"^s.toml: outcomes.LVM: 'vm' is not an outcome; "):
        parse_config({"outcomes": {"LVM": "vm"}}, "s.toml")
    assert len(OUTCOMES) == 10


def test_dates_and_times_as_people_and_crms_write_them() -> None:
    zone = "America/New_York"
    for text in ("2027-03-09T14:30", "2027-03-09 14:30", "3/9/2027 2:30 PM", "9 March 2027 2:30 pm",
                 "2027-03-09T19:30:00Z", "2027-03-09 20:30+01:00"):  # fmt: skip
        assert parse_moment(text, zone).isoformat() in (
            "2027-03-09T14:30:00-05:00", "2027-03-09T19:30:00+00:00", "2027-03-09T20:30:00+01:00",
        ), text  # fmt: skip
        assert (
            parse_moment(text, zone).timestamp()
            == parse_moment("2027-03-09T14:30", zone).timestamp()
        )
    assert parse_moment("09.03.2027 14:30", zone).day == 9
    assert parse_moment("03/09/2027 14:30", zone, day_first=True).month == 9


def filled_plan(out: Path, outcomes: dict[str, str], **cells: dict[str, str]) -> Path:
    """plan.csv as a spreadsheet saves it once an outcome column is filled in: with a
    byte-order mark, semicolons and CRLF line ends (Excel's CSV in much of Europe)."""
    rows = plan_rows(out)
    header = [*rows[0], "outcome", *cells]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for plan_row in rows:
        name = plan_row["contact_name"] if plan_row["play"] == "apology" else ""
        extra = [column.get(name, "") for column in cells.values()]
        writer.writerow([*plan_row.values(), outcomes.get(name, ""), *extra])
    path = out.parent / "filled.csv"
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
    return path


def test_plan_csv_filled_in_a_spreadsheet_is_recorded_once(out: Path) -> None:
    filled = filled_plan(out, {"Dana Ruiz": "Left Voicemail", "Omar Haddad": "agreed"},
                         note={"Omar Haddad": "wants the credit"})  # fmt: skip
    code, stdout, err = log(out, "--from", str(filled))
    assert (code, err) == (0, "")
    assert stdout == f"{out / 'outcomes.csv'}: recorded 2, already recorded 0, rejected 0\n"
    recorded = (out / "outcomes.csv").read_bytes()
    dana, omar = apology(out)["id"], apology(out, "Omar Haddad")["id"]
    assert recorded.decode() == HEADER + (
        f"{dana},voicemail,2027-03-08T09:00:00-05:00,,,A-1,Dana Ruiz,apology,,\n"
        f"{omar},agreed,2027-03-08T09:30:00-05:00,wants the credit,,A-1,Omar Haddad,apology,,\n"
    )  # `at` is the planned start where the line gives none
    code, stdout, _ = log(out, "--from", str(filled), now="2027-04-01T12:00:00+00:00")
    assert code == 0
    assert stdout == f"{out / 'outcomes.csv'}: recorded 0, already recorded 2, rejected 0\n"
    assert (out / "outcomes.csv").read_bytes() == recorded


def test_notes_of_several_lines_and_an_unended_last_line_are_read_back(out: Path) -> None:
    call = apology(out)
    note = '=first line\nsecond\u2028third, "quoted"'
    assert log(out, call["id"], "reached", "--note", note, "--at", "2027-03-08 09:10")[0] == 0
    with (out / "outcomes.csv").open("ab") as handle:  # an edit that left the last line unended
        handle.write(
            f"{call['id']},voicemail,2027-03-08T09:00:00-05:00,,,A-1,Dana Ruiz,apology".encode()
        )
    code, stdout, _ = log(out, call["id"], "reached", "--note", note, "--at", "2027-03-08 09:10")
    assert code == 0 and stdout.startswith("Already recorded")
    assert log(out, call["id"], "declined", "--at", "2027-03-08 09:20")[0] == 0
    with (out / "outcomes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[1] for r in rows[1:]] == ["reached", "voicemail", "declined"]
    assert rows[1][3] == "'" + note


def test_the_same_input_and_clock_give_the_same_bytes(out: Path, tmp_path: Path) -> None:
    filled = filled_plan(out, {"Dana Ruiz": "callback", "Omar Haddad": "Do Not Call"},
                         callback={"Dana Ruiz": "2027-03-12 10:00"})  # fmt: skip
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "plan.csv").write_bytes((out / "plan.csv").read_bytes())
    for folder in (out, copy):
        assert log(folder, "--from", str(filled))[0] == 0
    assert (copy / "outcomes.csv").read_bytes() == (out / "outcomes.csv").read_bytes()


def test_bad_lines_are_listed_and_the_good_ones_recorded(out: Path, tmp_path: Path) -> None:
    dana, omar = apology(out)["id"], apology(out, "Omar Haddad")["id"]
    later = next(r for r in plan_rows(out) if r["play"] == "small_step")
    path = tmp_path / "calls.csv"
    path.write_text(
        "id,outcome,at,callback,note\n"
        f"{dana},reached,2027-03-08 09:20,,fine\n"  # 2: good
        "ffffffffffffffffffff,reached,,,\n"  # 3
        f"{dana},hung up,,,\n"  # 4
        f"{omar},reached,the 8th at nine,,\n"  # 5
        f"{omar},callback,2027-03-08 09:40,2027-03-09 09:00,\n"  # 6: callback in the past
        f"{omar},reached,2027-03-12 09:00,,\n"  # 7: after the clock
        f"{later['id']},reached,,,\n"  # 8: planned later, no time given
        f"{omar},,,,not called yet\n"  # 9: no outcome: passed over
        f"{omar},voicemail,2027-03-08 09:40,2027-03-20 09:00,\n",  # 10
        encoding="utf-8",
    )
    code, stdout, err = log(out, "--from", str(path))
    assert code == 1
    assert stdout == f"{out / 'outcomes.csv'}: recorded 1, already recorded 0, rejected 7\n"
    assert err.splitlines() == [
        f"{path}:3: id: no call 'ffffffffffffffffffff' in {out / 'plan.csv'}",
        f"{path}:4: outcome: unknown outcome 'hung up'; expected one of reached, agreed, declined, "
        "voicemail, no_answer, callback, refused, wrong_number, left_company, won_back, a common "
        "CRM label such as 'Left Voicemail', or a label mapped in the settings' [outcomes]",
        f"{path}:5: at: cannot read 'the 8th at nine' as a date and time with a year",
        f"{path}:6: callback: 2027-03-09T09:00:00-05:00 is in the past (the run's clock: "
        "2027-03-10T22:00:00+00:00)",
        f"{path}:7: at: 2027-03-12T09:00:00-05:00 is after the run's clock (2027-03-10T22:00:00+00:00)",
        f"{path}:8: at: is empty, and the call is planned for {later['start']}, after the run's "
        "clock: give the time it was made",
        f"{path}:10: callback: is only for the outcome callback, not voicemail",
    ]  # fmt: skip
    assert (out / "outcomes.csv").read_text(encoding="utf-8").count("\n") == 2


def test_a_crm_export_is_read_after_the_columns_mapping(out: Path, tmp_path: Path) -> None:
    settings = tmp_path / "crm.toml"
    settings.write_text('[columns]\n"Outreach Call" = "id"\n"Call Result" = "outcome"\n'
                        '"Activity Date" = "at"\n\n[outcomes]\n"LVM" = "voicemail"\n',
                        encoding="utf-8")  # fmt: skip
    export = tmp_path / "activities.csv"
    export.write_text("Activity ID,Outreach Call,Call Result,Activity Date,Notes\n"
                      f"00T1,{apology(out)['id']},LVM,03/08/2027 9:02 AM,rang twice\n",
                      encoding="utf-8")  # fmt: skip
    code, _, err = invoke("log", str(out), "--from", str(export), "--config", str(settings),
                               "--now", LATER)  # fmt: skip
    assert (code, err) == (0, "")
    assert (out / "outcomes.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[1:4] == [
        "voicemail",
        "2027-03-08T09:02:00-05:00",
        "rang twice",
    ]
    code, _, err = log(out, "--from", str(export))  # without the mapping: no id column
    assert code == 2
    assert err.startswith(f"Error: {export}:1: no id column: a file of outcomes has the columns")


def test_an_outcomes_csv_someone_reordered_is_not_appended_to(out: Path) -> None:
    (out / "outcomes.csv").write_text("outcome,id\n", encoding="utf-8")
    code, _, err = log(out, apology(out)["id"], "reached")
    assert code == 2 and "its first line is not the header outreach writes" in err
    assert (out / "outcomes.csv").read_text(encoding="utf-8") == "outcome,id\n"


def test_a_link_at_outcomes_csv_is_not_followed(out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("mine\n", encoding="utf-8")
    (out / "outcomes.csv").symlink_to(elsewhere)
    code, _, err = log(out, apology(out)["id"], "reached")
    assert code == 2 and "is a symbolic link" in err
    assert elsewhere.read_text(encoding="utf-8") == "mine\n"


# Two reps at once --------------------------------------------------------------------------


def _calls_file(path: Path, call_id: str, minutes: range) -> Path:
    path.write_text("id,outcome,at\n" + "".join(
        f"{call_id},no_answer,2027-03-08 {9 + m // 60:02d}:{m % 60:02d}\n" for m in minutes
    ), encoding="utf-8")  # fmt: skip
    return path


@pytest.mark.slow
def test_two_reps_logging_at_the_same_moment_lose_no_line(out: Path, tmp_path: Path) -> None:
    dana, omar = apology(out)["id"], apology(out, "Omar Haddad")["id"]
    files = [_calls_file(tmp_path / "a.csv", dana, range(0, 400, 2)),
             _calls_file(tmp_path / "b.csv", omar, range(1, 400, 2))]  # fmt: skip
    for round_ in range(3):
        runs = [subprocess.Popen(command("log", str(out), "--from", str(f), "--now", LATER, "-q"),
                                 env=environment(), stderr=subprocess.PIPE)
                for f in files]  # fmt: skip
        assert [run.wait(timeout=120) for run in runs] == [0, 0], round_
    lines = (out / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER.strip() and len(lines) == 401
    assert len(set(lines)) == 401  # every line once: the second and third rounds added nothing


@pytest.mark.slow  # holds the lock for a second to watch a writer wait
def test_a_second_writer_waits_for_the_lock(out: Path) -> None:
    call = apology(out)
    (out / "outcomes.csv").write_text(HEADER, encoding="utf-8")
    with (out / "outcomes.csv").open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        run = subprocess.Popen(command("log", str(out), call["id"], "reached", "--now", LATER),
                               env=environment(), stdout=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(1.5)
        assert run.poll() is None, "the second writer did not wait for the lock"
        held.write(
            f"{call['id']},voicemail,2027-03-08T09:00:00-05:00,,,A-1,Dana Ruiz,apology,,\n".encode()
        )
    assert run.wait(timeout=60) == 0
    lines = (out / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["voicemail", "reached"]


# generate and campaign leave outcomes.csv alone --------------------------------------------


@pytest.mark.parametrize(
    "rerun",
    [
        ["generate", "{contacts}", "--out", "{out}"],
        ["generate", "{contacts}", "--out", "{out}", "--force"],
        ["generate", "{contacts}", "--out", "{out}", "--previous", "{out}"],
        ["generate", "{contacts}", "--out", "{out}", "--previous", "{out}", "--force"],
        ["generate", "{contacts}", "--out", "{out}2", "--previous", "{out}"],
        ["campaign", "{contacts}", "--quarter", "2027Q2", "--out", "{out}"],
        ["campaign", "{contacts}", "--quarter", "2027Q2", "--out", "{out}", "--force"],
    ],
)
def test_no_run_into_the_folder_removes_or_rewrites_outcomes_csv(
    out: Path, rerun: list[str]
) -> None:
    assert log(out, apology(out)["id"], "reached", "--note", "fine")[0] == 0
    before = (out / "outcomes.csv").read_bytes(), os.stat(out / "outcomes.csv")
    contacts = out.parent / "c.csv"
    args = [a.replace("{contacts}", str(contacts)).replace("{out}", str(out)) for a in rerun]
    code, _, err = invoke(*args, "--now", NOW, "-q")
    assert code == 0, err
    after = os.stat(out / "outcomes.csv")
    assert (out / "outcomes.csv").read_bytes() == before[0]
    assert (after.st_ino, after.st_mtime_ns) == (before[1].st_ino, before[1].st_mtime_ns)


def test_a_manifest_naming_outcomes_csv_does_not_get_it_removed(out: Path) -> None:
    assert log(out, apology(out)["id"], "reached")[0] == 0
    manifest = out / ".outreach-manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        '"files": {', '"files": {\n  "outcomes.csv": null,', 1), encoding="utf-8")  # fmt: skip
    code, _, err = invoke(
        "generate", str(out.parent / "c.csv"), "--out", str(out), "--now", NOW, "-q"
    )
    assert code == 0, err
    assert (out / "outcomes.csv").read_text(encoding="utf-8").count("\n") == 2


# As a person types it -----------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.slow  # four commands, each in a terminal and piped: ~8 s
def test_log_in_a_terminal_and_piped(out: Path, tmp_path: Path) -> None:
    call = apology(out)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,outcome\n{call['id']},agreed\nnope,reached\n", encoding="utf-8")
    cases = [
        (["log", str(out), call["id"], "voicemail", "--now", LATER], 0,
         "Recorded: voicemail, apology call to Dana Ruiz (A-1)"),
        (["log", str(out), call["id"], "shouted", "--now", LATER], 2,
         "Error: Invalid value for 'OUTCOME': unknown outcome 'shouted'"),
        (["log", str(out), call["id"], "agreed", "--promise", "Credit of 10%", "--due",
          "2027-03-20", "--now", LATER], 0, "promised 'Credit of 10%' by 2027-03-20"),
        (["log", str(out), "--from", str(bad), "--now", LATER], 1,
         f"{bad}:3: id: no call 'nope' in"),
    ]  # fmt: skip
    for args, status, shown in cases:
        run = in_terminal(command(*args), tmp_path, environment(tmp_path))
        assert not run.traceback and run.status == status, run.screen
        assert shown in run.screen, run.screen
        done = piped(command(*args), tmp_path, environment(tmp_path))
        assert "Traceback" not in done.stderr and done.returncode == status
        assert "\x1b" not in done.stdout + done.stderr
    assert "recorded 0, already recorded 1, rejected 1" in done.stdout
