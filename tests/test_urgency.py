"""Urgency survives load (issue 13, point 4; rule 2 of the playbook).

Every apology is booked before any follow-up, and every follow-up before the other calls; a
rep's other calls never start before that rep's last apology; an apology that still lands
later than one business day after the start is reported by contact."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.model.plan import Call
from outreach.model.records import Contact
from outreach.model.settings import Config, PlaySettings, Rep, ScheduleSettings
from outreach.planning.business_days import BusinessDays
from outreach.planning.campaign import plan_campaign
from outreach.planning.playbook import after, sequence
from outreach.planning.scheduler import Scheduler, make_roster
from outreach.planning.triage import triage
from tests.factories import invoke, row, team_rows, usd, write_csv

MONDAY = date(2027, 3, 1)
URGENT = ("apology", "follow_up")


def person(index: int, **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "line": index + 2, "account_id": f"A-{index:03d}", "company": f"Co {index}",
        "contact_name": f"C{index}", "status": "upset", "owner": "Sam",
        "timezone": "America/New_York", "phone": "+1 212 555 0100",
        "account_value": usd(100_000 - index),  # C0 is the most valuable
    }  # fmt: skip
    values.update(fields)
    return Contact(**values)


def test_on_a_full_diary_every_apology_comes_before_every_other_call() -> None:
    """Two calls a day, ten upset contacts: the follow-ups of the first apologies used to take
    the slots of the later apologies."""
    config = Config(schedule=ScheduleSettings(calls_per_day=2))
    people = [person(i) for i in range(10)] + [person(10 + i, status="lapsed") for i in range(4)]
    plan = make_roster(people, config, MONDAY, "c.csv").plan()
    apologies = sorted(c.at for c in plan.calls if c.play == "apology")
    others = sorted(c.at for c in plan.calls if c.play != "apology")
    assert len(apologies) == 10 and max(apologies) < min(others)
    # Two a day from the start: the last apology is on the fifth business day.
    assert datetime.fromtimestamp(max(apologies), UTC).date() == MONDAY + timedelta(days=4)
    follow_ups = sorted(c.at for c in plan.calls if c.play == "follow_up")
    rest = [c.at for c in plan.calls if c.play not in URGENT]
    assert max(follow_ups) < min(rest)


def test_on_a_large_export_the_last_apology_is_as_early_as_the_capacity_allows() -> None:
    """300 upset and 300 lapsed contacts, twelve calls a day: 25 days of apologies, not months."""
    contacts = [person(i, status="upset" if i % 2 else "lapsed") for i in range(600)]
    plan = make_roster(contacts, Config(), MONDAY, "c.csv").plan()
    business = BusinessDays(Config().schedule)
    day = MONDAY
    for _ in range(24):  # 300 apologies at 12 a day fill 25 business days
        day = business.next_after(day)
    last_apology = max(c.start.date() for c in plan.calls if c.play == "apology")
    assert last_apology == day
    first_other = min(c.at for c in plan.calls if c.play not in URGENT)
    assert first_other > max(c.at for c in plan.calls if c.play == "apology")


def test_late_apologies_are_reported_on_stderr_and_flagged(tmp_path: Path) -> None:
    """One call a day: the third to the eighth apology are later than one business day."""
    contacts = write_csv(tmp_path / "c.csv", [
        row(account_id=f"A-{i}", contact_name=f"Contact {i}", account_value=str(90_000 - i))
        for i in range(8)
    ])  # fmt: skip
    args = ("--start", "2027-03-01", "--calls-per-day", "1", "--now", "2027-02-26T12:00Z")
    code, out, err = invoke("plan", str(contacts), "--format", "csv", *args)
    assert code == 0, err
    out_csv = out
    late = [line for line in err.splitlines() if line.startswith("late apology: ")]
    assert late[0] == ("late apology: Contact 2 (Acme Corp, A-2, line 4): Wed 2027-03-03 09:00 EST, "
                       "Sam Rep's first free slot")  # fmt: skip
    assert len(late) == 5
    assert "… and 1 more late apologies, the last on Wed 2027-03-10" in err
    flagged = [line.split(",")[4] for line in out.splitlines() if ",late," in line]
    assert flagged == [f"Contact {i}" for i in range(2, 8)]
    # The same from the table, and from generate with its summary.
    assert invoke("plan", str(contacts), *args)[2] == err
    code, out, gen_err = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), *args)
    assert code == 0 and late == [line for line in gen_err.splitlines() if line.startswith("late")]
    assert "late:      6 apologies later than one business day after the start" in out
    # --quiet prints errors only: the plan and its `late` flags stay, the alarm lines go.
    code, quiet_out, quiet_err = invoke("plan", str(contacts), "--format", "csv", "-q", *args)
    assert (code, quiet_out, quiet_err) == (0, out_csv, "")
    code, out, err = invoke("generate", str(contacts), "--out", str(tmp_path / "q"), "-q", *args)
    assert (code, out, err) == (0, "", "")


def test_a_campaign_report_lists_the_late_apologies_first(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [
        row(account_id=f"A-{i}", contact_name=f"Contact {i}", account_value=str(90_000 - i))
        for i in range(4)
    ])  # fmt: skip
    code, _, err = invoke("campaign", str(contacts), "--from", "2027-03-01", "--to",
                            "2027-03-31", "--out", str(tmp_path / "q"), "--calls-per-day", "1",
                            "--now", "2027-02-26T12:00Z")  # fmt: skip
    assert code == 0, err
    assert "late apology: Contact 3 (Acme Corp, A-3, line 5): Thu 2027-03-04" in err
    html = (tmp_path / "q" / "report.html").read_text(encoding="utf-8")
    top = html.split("<h2>Load against capacity</h2>")[0]
    assert "2 late apologies" in top
    assert re.findall(r"<tr><td>(Contact \d)</td>", top) == ["Contact 2", "Contact 3"]


def test_an_upset_contact_is_never_over_capacity_while_their_rep_makes_small_steps() -> None:
    """Two weeks at two calls a day (20 slots). Valuable upset accounts that had their apology
    and follow-up long ago are due small steps; fifteen smaller ones are due an apology. The
    small steps used to take the slots and leave apologies over capacity."""
    earlier = [person(i, stage="follow_up", stage_date=date(2026, 10, 1)) for i in range(8)]
    fresh = [person(100 + i) for i in range(15)]
    config = Config(schedule=ScheduleSettings(calls_per_day=2))
    campaign = plan_campaign([*earlier, *fresh], config, MONDAY, MONDAY + timedelta(days=11),
                             "c.csv")  # fmt: skip
    calls = campaign.plan.calls
    over = {s.line for s in campaign.plan.skipped if s.kind == "over capacity"}
    apologised = {c.contact.line for c in calls if c.play == "apology"}
    assert apologised == {c.line for c in fresh}
    small_steps = [c for c in calls if c.play not in URGENT]
    assert not small_steps and over == {c.line for c in earlier}


# --- properties: rounds per rep, the team's order, spacing --------------------------------------

ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney",
         "America/Los_Angeles", "Asia/Tokyo"]  # fmt: skip
REPS = ["Ana", "Ben", "Cy"]
rows = st.lists(
    st.tuples(st.integers(0, 15), st.sampled_from(ZONES), st.sampled_from(REPS),
              st.sampled_from(["upset", "upset", "lapsed"]), st.integers(1000, 90_000),
              st.sampled_from([None, None, None, "Ana", "Cy"]),
              st.sampled_from([None, None, "apology", "follow_up", "small_step 1"])),
    max_size=30,
)  # fmt: skip


def _contacts(drawn: list[tuple[Any, ...]]) -> list[Contact]:
    """One contact per row; an account's handoff is on its first row, as in an export."""
    seen: set[int] = set()
    contacts = []
    for index, (account, zone, owner, status, value, handoff, stage) in enumerate(drawn):
        if status == "lapsed" or stage is None:
            stage = None
        contacts.append(person(
            index, account_id=f"A-{account}", timezone=zone, owner=owner, status=status,
            account_value=usd(value), handoff_to=None if account in seen else handoff,
            stage=stage, stage_date=date(2027, 2, 1) if stage else None,
        ))  # fmt: skip
        seen.add(account)
    return contacts


@settings(max_examples=40, deadline=None)
@given(drawn=rows, cap=st.integers(1, 5), rep_zone=st.sampled_from(ZONES))
def test_rounds_per_rep_equal_the_teams_and_keep_each_contacts_spacing(
    drawn: list[tuple[Any, ...]], cap: int, rep_zone: str
) -> None:
    config = Config(
        schedule=ScheduleSettings(calls_per_day=cap),
        plays=PlaySettings(keep_in_touch_count=1, lapsed_cooldown_days=0),
        reps={"Ana": Rep("Ana", timezone=rep_zone)},
    )
    now = datetime(2027, 2, 26, 15, tzinfo=UTC)
    assigned, _ = triage(_contacts(drawn), config, "c.csv")
    team, _ = Scheduler(config, now).schedule(assigned, MONDAY)

    # Reps share no slot, handed-over accounts included: each rep alone books the same calls.
    by_rep: dict[str, list[Call]] = defaultdict(list)
    for call in team:
        by_rep[call.owner].append(call)
    for rep in {a.owner for a in assigned}:
        alone, _ = Scheduler(config, now).schedule([a for a in assigned if a.owner == rep], MONDAY)
        assert sorted(alone, key=lambda c: c.id) == sorted(by_rep[rep], key=lambda c: c.id)

    for calls in by_rep.values():
        apologies = [c.at for c in calls if c.play == "apology"]
        others = [c.at for c in calls if c.play not in URGENT]
        if apologies and others:
            assert min(others) > max(apologies)

    business = BusinessDays(config.schedule)
    per_contact: dict[tuple[str, str], list[Call]] = defaultdict(list)
    for call in team:
        per_contact[call.contact.key].append(call)
    for calls in per_contact.values():
        calls.sort(key=lambda c: c.at)
        steps = sequence(calls[0].contact, config.plays)
        assert [(c.play, c.step) for c in calls] == [(s.play, s.step) for s in steps[: len(calls)]]
        for (earlier, later), step in zip(itertools.pairwise(calls), steps[1:], strict=False):
            assert later.start.date() >= after(earlier.start.date(), step.after, business)


@pytest.mark.slow
def test_late_apologies_are_the_same_from_one_process_or_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reps are scheduled in worker processes: their late apologies travel back to the report."""
    import outreach.output.workers

    monkeypatch.setattr(outreach.output.workers, "PARALLEL_FROM", 0)
    path = write_csv(tmp_path / "c.csv", team_rows(60))  # three reps, ten apologies each
    args = ("--start", "2027-03-08", "--calls-per-day", "2", "--now", "2027-03-05T12:00Z")
    reports = set()
    for jobs in ("1", "3"):
        for fmt in ("table", "csv", "json"):
            code, _, err = invoke("plan", str(path), "--format", fmt, "--jobs", jobs, *args)
            assert code == 0, err
            reports.add(tuple(line for line in err.splitlines() if "late apolog" in line))
        out = str(tmp_path / f"out{jobs}")
        code, _, err = invoke("generate", str(path), "--out", out, "--jobs", jobs, *args)
        assert code == 0, err
        reports.add(tuple(line for line in err.splitlines() if "late apolog" in line))
    (late,) = reports
    assert len(late) == 6  # ten apologies a rep at two a day: six late each, 18 in all
    assert late[-1] == "… and 13 more late apologies, the last on Fri 2027-03-12"
