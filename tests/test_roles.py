"""Issue 17 items 2 and 4: the sales steps go to the decision maker (rule 19), and stopping in
time never skips the apology nor calls forever (rule 14). Planning rules, tested in-process."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from outreach.formats.crm import next_accounts
from outreach.intake.contacts import read_contacts
from outreach.model.outcomes import CallOutcome, Outcome
from outreach.model.plan import Plan, call_id
from outreach.model.records import Contact
from outreach.model.settings import Config, PlaySettings
from outreach.planning.history import History
from outreach.planning.scheduler import make_roster
from tests.factories import read_csv, row, usd, write_csv
from tests.test_scheduler import contact

MONDAY = date(2027, 3, 1)
NOW = datetime(2027, 2, 26, tzinfo=UTC)


def plays_of(plan: Plan) -> dict[str, list[str]]:
    """Each contact's calls, `play step`, in order."""
    calls: dict[str, list[str]] = {}
    for call in sorted(plan.calls, key=lambda c: c.at):
        calls.setdefault(call.contact.contact_name, []).append(f"{call.play} {call.step}")
    return calls


def plan_of(contacts: list[Contact], config: Config | None = None, **history: Any) -> Plan:
    return make_roster(contacts, config or Config(), MONDAY, "c.csv", **history).plan()


def test_the_decision_maker_alone_is_asked_for_business_again() -> None:
    plan = plan_of([
        contact("Dana", role="decision_maker"),
        contact("Omar", line=3, role="Store manager"),
        contact("Jürgen", account_id="A-2", line=4, status="lapsed", role="decision_maker"),
        contact("Anna", account_id="A-2", line=5, status="lapsed"),
    ])  # fmt: skip
    calls = plays_of(plan)
    assert calls["Dana"] == [
        "apology 1", "follow_up 1", "small_step 1", "small_step 2", "substantial_offer 1",
    ]  # fmt: skip
    assert calls["Omar"] == ["apology 1", "follow_up 1"]  # rule 3: the apology, still
    assert calls["Jürgen"][0] == "clear_the_air 1"
    assert calls["Anna"] == [f"keep_in_touch {n}" for n in range(1, 5)]


def test_without_a_decision_maker_every_contact_gets_the_whole_playbook() -> None:
    rows = [contact("Dana"), contact("Omar", line=3, role="influencer")]
    calls = plays_of(plan_of(rows))
    assert calls["Dana"] == calls["Omar"] and "substantial_offer 1" in calls["Omar"]
    # nor with one who will not be called: the sales steps do not vanish with them
    gone = contact("Ann", line=4, role="decision_maker", status="resolved")
    assert plays_of(plan_of([*rows, gone])) == calls


def test_the_role_column_reads_as_crms_name_it(tmp_path: Path) -> None:
    header = [*row(), "Contact Role"]
    rows = [
        {**row(), "Contact Role": "Decision-Maker"},
        {**row(contact_name="Omar Haddad"), "Contact Role": "Store Operations"},
    ]
    read = list(read_contacts(write_csv(tmp_path / "c.csv", rows, header), Config()))
    assert [c.role for c in read if isinstance(c, Contact)] == [
        "decision_maker",
        "Store Operations",
    ]


def test_an_upset_account_not_worth_the_sales_steps_still_gets_its_apology() -> None:
    plan = plan_of([
        contact("Dana", account_value=usd(650)),
        contact("Omar", account_id="A-2", line=3, attempts=5),
    ])  # fmt: skip
    assert plays_of(plan) == {
        "Dana": ["apology 1", "follow_up 1"],
        "Omar": ["apology 1", "follow_up 1"],
    }
    assert plan.skipped == ()
    assert all("no_sales_steps" in call.flags for call in plan.calls)
    notes = {call.contact.contact_name: call.note for call in plan.calls}
    assert notes["Dana"] == (
        "apology and follow-up only: the account is worth USD 650, "
        "less than drop.min_account_value (1,000)"
    )
    # both made: no sales steps follow, and the row is listed, not lost
    made = _history(
        plan.calls[0].contact,
        ("apology", 1, "reached", datetime(2027, 2, 22, 15, tzinfo=UTC)),
        ("follow_up", 1, "reached", datetime(2027, 2, 25, 15, tzinfo=UTC)),
    )
    after = plan_of([plan.calls[0].contact], history=made)
    assert after.calls == () and [s.kind for s in after.skipped] == ["suppressed"]


def _history(
    contact: Contact, *logged: tuple[str, int, Outcome, datetime], plays: PlaySettings | None = None
) -> History:
    outcomes = [
        CallOutcome(call_id(contact.account_id, contact.contact_name, play, step), outcome, at)
        for play, step, outcome, at in logged
    ]
    return History(outcomes, {}, plays or PlaySettings(), NOW)


def test_check_ins_that_found_nothing_end_in_a_review_not_in_more_check_ins() -> None:
    # two check-ins found nothing in earlier campaigns; this quarter's two did not either
    lapsed = contact("Lee", status="lapsed", stage="keep_in_touch 2", check_ins=2)
    assert plays_of(plan_of([lapsed])) == {"Lee": ["keep_in_touch 3", "keep_in_touch 4"]}
    made = _history(
        lapsed,
        ("keep_in_touch", 3, "reached", datetime(2026, 6, 1, 15, tzinfo=UTC)),
        ("keep_in_touch", 4, "declined", datetime(2026, 9, 1, 15, tzinfo=UTC)),
    )
    plan = plan_of([lapsed], history=made)
    assert plan.calls == ()
    [skip] = plan.skipped
    assert (skip.kind, skip.reason) == (
        "review",
        "4 keep-in-touch calls in a row found nothing: stop calling?",
    )
    # a next campaign that reads the count back lists the contact for the manager at once
    counted = contact("Lee", status="lapsed", stage="keep_in_touch 4", check_ins=4)
    assert [s.kind for s in plan_of([counted]).skipped] == ["review"]


def test_a_check_in_that_finds_an_opening_starts_the_count_again() -> None:
    lapsed = contact("Lee", status="lapsed", stage="keep_in_touch 2", check_ins=3)
    made = _history(lapsed, ("keep_in_touch", 3, "agreed", datetime(2026, 6, 1, 15, tzinfo=UTC)))
    calls = plays_of(plan_of([lapsed], history=made))["Lee"]
    assert calls[0] == "small_step 1" and calls.count("keep_in_touch 4") == 1


def test_accounts_next_counts_check_ins_and_fruitless_cycles_as_attempts(tmp_path: Path) -> None:
    header = [*row(), "outreach_attempts", "outreach_check_ins"]
    source = write_csv(
        tmp_path / "c.csv",
        [{**row(status="lapsed", stage="keep_in_touch 1"), "outreach_attempts": "1",
          "outreach_check_ins": "1"}],
        [*header, "stage"],
    )  # fmt: skip
    [lee] = [c for c in read_contacts(source, Config()) if isinstance(c, Contact)]
    assert (lee.check_ins, lee.attempts) == (1, int(row()["attempts"]) + 1)
    made = _history(
        lee,
        ("keep_in_touch", 2, "voicemail", datetime(2026, 6, 1, 15, tzinfo=UTC)),
        ("keep_in_touch", 2, "reached", datetime(2026, 6, 2, 15, tzinfo=UTC)),
    )
    roster = make_roster([lee], Config(), MONDAY, "c.csv", history=made)
    plan = roster.plan()
    written = b"".join(next_accounts(source, plan, Config(), {lee.line: roster.standings[lee.key]}))
    (tmp_path / "next.csv").write_bytes(written)
    [after] = read_csv(tmp_path / "next.csv")
    # one try reached nobody, one check-in found nothing: two more attempts
    assert (after["outreach_attempts"], after["outreach_check_ins"]) == ("3", "2")


def test_an_apology_unanswered_after_max_tries_stops() -> None:
    upset = contact("Dana")
    tries: list[tuple[str, int, Outcome, datetime]] = [
        ("apology", 1, "no_answer", datetime(2027, 2, day, 15, tzinfo=UTC)) for day in (22, 23)
    ]
    plays = PlaySettings(max_tries=2)
    plan = plan_of([upset], Config(plays=plays), history=_history(upset, *tries, plays=plays))
    assert plan.calls == () and [s.kind for s in plan.skipped] == ["unreachable"]
