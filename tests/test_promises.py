"""Promises with dates, and one small step after another (issue 17, items 1 and 3).

A rep logs what was promised on the apology and by when; the follow-up waits until the
promises are due, lists each with its date, comes again while one is not kept, and
accounts.next.csv carries those still open into the next quarter. `low_risk_offer` holds one
offer per small step."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from outreach.intake.cells import parse_promises, promises_cell
from outreach.model.outcomes import Promise
from outreach.model.plays import SILENT_PLAYS, Play
from outreach.model.settings import PlaySettings
from outreach.planning.playbook import sequence, step_offer
from outreach.render.scripts import ScriptRenderer
from tests.factories import invoke, make_call, make_contact, read_csv, row, split_brief, write_csv
from tests.test_history import calls_of, cid, plan
from tests.test_log import apology, log
from tests.test_scripts import CONFIG

CREDIT = Promise("Credit of 10% on the delayed order", date(2027, 3, 19))  # a Friday
PALLETS = Promise("Replacement pallets delivered", date(2027, 3, 12))


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "c.csv", [row()])


def outcomes(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "outcomes.csv"
    path.write_text("id,outcome,at,promise,due\n" + "".join(f"{line}\n" for line in lines), "utf-8")
    return path


def follow_ups(
    contacts: Path, tmp_path: Path, *lines: str, clock: tuple[str, ...] = ()
) -> list[tuple[str, str, str]]:
    code, rows, err = plan(contacts, "--outcomes", str(outcomes(tmp_path, *lines)), *clock)
    assert code == 0, err
    return calls_of(rows)


APOLOGY = f"{cid('apology')},agreed,2027-03-08 10:00"


def test_the_follow_up_comes_the_business_day_after_the_last_promise_is_due(
    contacts: Path, tmp_path: Path
) -> None:
    promised = f"{APOLOGY},{CREDIT.text} | {PALLETS.text},2027-03-19 | 12 March 2027"
    dana = follow_ups(contacts, tmp_path, promised)
    assert dana[0][:2] == ("follow_up 1", "2027-03-22T09:00:00-04:00")  # Monday after Friday
    assert dana[1][0] == "small_step 1"


def test_the_follow_up_is_not_sooner_than_follow_up_days_after_the_apology(
    contacts: Path, tmp_path: Path
) -> None:
    clock = ("--now", "2027-03-08T20:00:00Z", "--start", "2027-03-09")
    promised = f"{APOLOGY},Call back with the invoice,2027-03-08"
    dana = follow_ups(contacts, tmp_path, promised, clock=clock)
    assert dana[0][:2] == ("follow_up 1", "2027-03-11T09:00:00-05:00")  # three business days


def test_a_follow_up_declined_checks_the_promises_again_or_the_new_ones(
    contacts: Path, tmp_path: Path
) -> None:
    promised = f"{APOLOGY},{CREDIT.text},2027-03-09"
    declined = f"{cid('follow_up')},declined,2027-03-10 10:00"
    again = follow_ups(contacts, tmp_path, promised, f"{declined},,")
    assert again[0][:2] == ("follow_up 2", "2027-03-15T09:00:00-04:00")  # follow_up_days later
    renewed = follow_ups(contacts, tmp_path, promised, f"{declined},{CREDIT.text},2027-03-26")
    assert renewed[0][:2] == ("follow_up 2", "2027-03-29T09:00:00-04:00")  # after the new date
    assert renewed[1][0] == "small_step 1"  # the small steps wait for the follow-up


@pytest.mark.slow
def test_promises_go_round_the_quarters_until_a_follow_up_confirms_them(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row()])
    q1, q2, q3, q4 = (tmp_path / q for q in ("q1", "q2", "q3", "q4"))

    def campaign(source: Path, quarter: str, out: Path, *args: str) -> list[dict[str, str]]:
        first = {"Q1": "01", "Q2": "04", "Q3": "07", "Q4": "10"}[quarter[4:]]
        code, _, err = invoke("campaign", str(source), "--quarter", quarter, "--out", str(out),
                              "--now", f"{quarter[:4]}-{first}-01T03:00:00Z", "-q", *args)  # fmt: skip
        assert code == 0, err
        return read_csv(out / "plan.csv")

    campaign(contacts, "2027Q1", q1)
    code, _, err = invoke("log", str(q1), cid("apology"), "agreed", "--at", "2027-01-04 09:10",
                          "--promise", "Credit of 10% [on the order](x)", "--due", "20 May 2027",
                          "--now", "2027-03-31T12:00:00Z")  # fmt: skip
    assert code == 0, err
    rows = campaign(q1 / "accounts.next.csv", "2027Q2", q2, "--outcomes", str(q1 / "outcomes.csv"))
    assert calls_of(rows)[0][:2] == ("follow_up 1", "2027-05-21T09:00:00-04:00")
    crm = read_csv(q2 / "accounts.next.csv")[0]
    assert crm["outreach_promises"] == "Credit of 10% [on the order](x) (due 2027-05-20)"
    rows = campaign(q2 / "accounts.next.csv", "2027Q3", q3)  # the quarter after, no outcomes
    follow_up = next(r for r in rows if r["play"] == "follow_up")
    script = (q3 / follow_up["script"]).read_text(encoding="utf-8")
    assert r"- [ ] Credit of 10% \[on the order\](x) (due Thursday 20 May 2027)" in script
    assert read_csv(q3 / "accounts.next.csv")[0]["outreach_promises"] == crm["outreach_promises"]
    code, _, err = invoke("log", str(q3), follow_up["id"], "reached", "--at", "2027-07-01 10:00",
                          "--now", "2027-09-30T12:00:00Z")  # fmt: skip
    assert code == 0, err
    rows = campaign(q3 / "accounts.next.csv", "2027Q4", q4, "--outcomes", str(q3 / "outcomes.csv"))
    assert rows[0]["play"] == "small_step"
    assert read_csv(q4 / "accounts.next.csv")[0]["outreach_promises"] == ""


def test_a_follow_up_waiting_past_the_quarter_is_not_due_and_its_promises_carry_on(
    contacts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "q1"
    code, _, err = invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out", str(out),
                          "--now", "2027-03-10T22:00:00Z", "--outcomes",
                          str(outcomes(tmp_path, f"{APOLOGY},{CREDIT.text},2027-04-20")))  # fmt: skip
    assert code == 0, err
    skipped = read_csv(out / "skipped.csv")[0]
    assert (skipped["kind"], skipped["reason"]) == (
        "not due", "the follow-up waits for promises due by 2027-04-20, after 2027-03-31")  # fmt: skip
    crm = read_csv(out / "accounts.next.csv")[0]
    assert crm["outreach_promises"] == f"{CREDIT.text} (due 2027-04-20)"
    assert crm["outreach_stage"] == "apology"


def test_a_contact_past_a_follow_up_with_promises_open_gets_another() -> None:
    contact = make_contact(stage="follow_up", promises=(CREDIT,))
    first, second = sequence(contact, PlaySettings())[:2]
    assert (first.play, first.step, first.not_before) == ("follow_up", 2, date(2027, 3, 20))
    assert second.play == "small_step"
    assert sequence(make_contact(stage="follow_up"), PlaySettings())[0].play == "small_step"


def test_an_open_promises_cell_reads_back_and_a_bad_one_is_named(tmp_path: Path) -> None:
    assert parse_promises(promises_cell((CREDIT, PALLETS))) == (CREDIT, PALLETS)
    odd = Promise("Refund (due 2027-01-01)\nas agreed", date(2027, 4, 1))
    assert parse_promises(promises_cell((odd,))) == (odd,)
    bad = write_csv(tmp_path / "c.csv", [row(outreach_promises="Credit of 10%")],
                    [*row(), "outreach_promises"])  # fmt: skip
    code, out, err = invoke("check", str(bad))
    assert code == 1 and f"{bad}:2: outreach_promises: cannot read 'Credit of 10%'" in out + err


def test_the_follow_up_lists_each_promise_and_later_plays_never_do(tmp_path: Path) -> None:
    renderer = ScriptRenderer(CONFIG)
    contact = make_contact(promises=(CREDIT, PALLETS), options=())
    script = renderer.render(make_call(contact, "follow_up"), None)
    assert "- [ ] Credit of 10% on the delayed order (due Friday 19 March 2027)" in script
    assert "- [ ] Replacement pallets delivered (due Friday 12 March 2027)" in script
    plays: list[Play] = sorted(SILENT_PLAYS)
    for play in plays:
        brief, spoken = split_brief(renderer.render(make_call(contact, play), None))
        assert CREDIT.text in brief and CREDIT.text not in spoken, play  # rule 10, rule 8


def test_each_small_step_proposes_its_own_offer() -> None:
    offers = ("A trial order of display stands", "Ten cases of the spring range")
    assert [step_offer(offers, n) for n in (1, 2, 3)] == [offers[0], offers[1], offers[1]]
    assert step_offer((), 1) is None
    renderer = ScriptRenderer(CONFIG)
    contact = make_contact(low_risk_offer=" | ".join(offers))
    second = renderer.render(make_call(contact, "small_step", step=2), None)
    assert f"easy to say no to: {offers[1]}." in second and offers[0] not in second
    assert "[the offer" not in second  # a known offer is said, not left as a blank
    clear = renderer.render(make_call(contact, "clear_the_air"), None)
    assert f"in case the answer is yes: {offers[0]}." in clear and offers[1] not in clear
    bare = renderer.render(make_call(make_contact(low_risk_offer=None), "small_step"), None)
    assert "Agree one with your manager before you dial" in bare


def test_a_promise_needs_its_due_date_on_a_call_that_can_make_one(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row()])
    out = tmp_path / "out"
    assert invoke("generate", str(contacts), "--out", str(out), "--now",
                  "2027-03-01T12:00:00+00:00", "--start", "2027-03-08", "-q")[0] == 0  # fmt: skip
    call = apology(out)["id"]
    cases = [
        (("agreed", "--promise", "Credit"), "Invalid value for '--due': 1 promise and 0 due dates"),
        (("agreed", "--promise", "Credit", "--due", "soon"), "'--due': cannot read 'soon'"),
        (("agreed", "--promise", "Credit", "--due", "2027-03-01"), "is before the call"),
        (("agreed", "--promise", "A | B", "--due", "2027-03-20"), "holds |"),
        (
            ("voicemail", "--promise", "Credit", "--due", "2027-03-20"),
            "cannot go with voicemail on the apology call",
        ),
    ]
    for args, message in cases:
        code, _, err = log(out, call, *args)
        assert code == 2 and message in err, (args, err)
    assert not (out / "outcomes.csv").exists()
    code, _, err = log(out, call, "agreed", "--promise", CREDIT.text, "--due", "3/19/2027",
                       "--promise", PALLETS.text, "--due", "2027-03-12")  # fmt: skip
    assert code == 0, err
    line = read_csv(out / "outcomes.csv")[0]
    assert (line["promise"], line["due"]) == (f"{CREDIT.text} | {PALLETS.text}",
                                              "2027-03-19 | 2027-03-12")  # fmt: skip
    assert log(out, "--from", str(out / "outcomes.csv"))[1].endswith(
        "already recorded 1, rejected 0\n"
    )
    calls = tmp_path / "calls.csv"
    calls.write_text(f"id,outcome,Promises,Due Date\n{call},agreed,Credit | Pallets,2027-03-20\n")
    code, _, err = log(out, "--from", str(calls))
    assert code == 1 and f"{calls}:2: due: 2 promises and 1 due date" in err


def test_an_outcomes_csv_from_before_promises_is_still_appended_to(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row()])
    out = tmp_path / "out"
    assert invoke("generate", str(contacts), "--out", str(out), "--now",
                  "2027-03-01T12:00:00+00:00", "--start", "2027-03-08", "-q")[0] == 0  # fmt: skip
    old = "id,outcome,at,note,callback,account_id,contact_name,play\n"
    (out / "outcomes.csv").write_text(old, encoding="utf-8")
    call = apology(out)["id"]
    assert log(out, call, "voicemail", "--at", "2027-03-08 09:00")[0] == 0
    assert (out / "outcomes.csv").read_text(encoding="utf-8").count(",\n") == 0  # its layout
    code, _, err = log(out, call, "agreed", "--promise", "Credit", "--due", "2027-03-20")
    assert code == 2 and "written before promises were logged" in err
