from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.model.plan import Plan
from outreach.model.records import Contact
from outreach.model.settings import Config, DropSettings, PlaySettings, Rep, ScheduleSettings
from outreach.planning.business_days import BusinessDays
from outreach.planning.scheduler import make_roster
from tests.factories import dial_of, usd

MONDAY = date(2027, 3, 1)


def contact(name: str = "Dana", **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "line": 2, "account_id": "A-1", "company": "Acme", "contact_name": name, "status": "upset",
        "owner": "Sam", "timezone": "America/New_York", "phone": "+1 212 555 0100",
        "account_value": usd(5000),
    }  # fmt: skip
    values.update(fields)
    return Contact(**dial_of(values))


def plan_of(contacts: list[Contact], config: Config | None = None, start: date = MONDAY) -> Plan:
    return make_roster(contacts, config or Config(), start, "c.csv").plan()


def test_an_upset_contact_gets_the_whole_recovery_sequence() -> None:
    plan = plan_of([contact()])
    assert [(c.play, c.step) for c in plan.calls] == [
        ("apology", 1), ("follow_up", 1), ("small_step", 1), ("small_step", 2), ("substantial_offer", 1),
    ]  # fmt: skip
    apology, follow_up, first, second, offer = plan.calls
    assert apology.start == datetime(2027, 3, 1, 9, tzinfo=ZoneInfo("America/New_York"))
    assert follow_up.start.date() == date(2027, 3, 4)  # three business days later
    assert (first.start.date() - follow_up.start.date()).days >= 14
    assert (second.start.date() - first.start.date()).days >= 28
    assert offer.flags == ("only_if_small_steps_went_well",)


def test_a_lapsed_contact_clears_the_air_then_keeps_in_touch_quarterly() -> None:
    plan = plan_of([contact(status="lapsed")])
    assert [(c.play, c.step) for c in plan.calls] == [
        ("clear_the_air", 1), *[("keep_in_touch", n) for n in range(1, 5)],
    ]  # fmt: skip
    dates = [c.start.date() for c in plan.calls]
    assert all(89 <= (b - a).days <= 96 for a, b in itertools.pairwise(dates))


def test_every_contact_of_an_account_gets_calls() -> None:
    plan = plan_of([contact("Dana"), contact("Omar", line=3)])
    assert Counter(c.contact.contact_name for c in plan.calls if c.play == "apology") == {
        "Dana": 1,
        "Omar": 1,
    }


def test_ids_do_not_depend_on_the_date() -> None:
    early = plan_of([contact()], start=MONDAY)
    late = plan_of([contact()], start=MONDAY + timedelta(days=21))
    assert [c.id for c in early.calls] == [c.id for c in late.calls]
    assert len({c.id for c in early.calls}) == len(early.calls)


def test_a_handoff_moves_every_call_of_the_account() -> None:
    plan = plan_of([contact("Dana", handoff_to="Priya"), contact("Omar", line=3)])
    assert {c.owner for c in plan.calls} == {"Priya"}
    assert all(c.handover_from == "Sam" and "handover" in c.flags for c in plan.calls)


def test_the_new_rep_introduces_themselves_on_the_first_call_after_a_handover() -> None:
    """Rule 13 at any stage: mid-sequence the next call introduces the new rep, whatever its
    play; after a clear-the-air call, the keep-in-touch calls do not again."""
    handed = contact(status="lapsed", handoff_to="Priya")
    mid = contact(
        "Kim", account_id="A-2", status="lapsed", handoff_to="Priya", stage="keep_in_touch 2",
        stage_date=date(2027, 1, 4),
    )  # fmt: skip
    plan = plan_of([handed, mid])
    introducing = [
        (c.contact.contact_name, c.play, c.step) for c in plan.calls if "introduce" in c.flags
    ]
    assert introducing == [("Dana", "clear_the_air", 1), ("Kim", "keep_in_touch", 3)]


def test_small_and_exhausted_accounts_are_dropped_with_the_reason() -> None:
    plan = plan_of([
        contact("Dana", status="lapsed", account_value=usd(800)),
        contact("Omar", status="lapsed", account_id="A-2", line=3, attempts=5),
        contact("Kim", account_id="A-3", line=4, phone=None),
        contact("Lee", account_id="A-4", line=5, phone="(212) 555-0199"),
        contact("Ann", account_id="A-5", line=6, status="resolved"),
        contact("Bo", account_id="A-6", line=7, email="Bo@Acme.example"),
        contact("Cy", status="lapsed", account_id="A-7", line=8, account_value=usd(900),
                handoff_to="Priya"),
    ], Config(drop=DropSettings(do_not_call=("+1 212 555 0199", "bo@acme.example"))))  # fmt: skip
    assert plan.calls == ()
    assert [(s.line, s.kind, s.reason) for s in plan.skipped] == [
        (2, "dropped", "the account is worth USD 800, less than drop.min_account_value (1,000)"),
        (3, "dropped", "5 attempts to win the account back went nowhere (drop.max_attempts is 5)"),
        (4, "dropped", "no phone number to call"),
        (5, "dropped", "phone number is on the do-not-call list"),
        (6, "suppressed", "status resolved: no outreach"),
        (7, "dropped", "e-mail address is on the do-not-call list"),
        # handed over or not, an account is worth the effort or it is not
        (8, "dropped", "the account is worth USD 900, less than drop.min_account_value (1,000)"),
    ]


def test_a_recent_contact_cools_down_but_urgency_wins_for_upset() -> None:
    recently = MONDAY - timedelta(days=5)
    plan = plan_of([
        contact("Dana", status="lapsed", last_contact=recently),
        contact("Omar", account_id="A-2", last_contact=recently),
    ])  # fmt: skip
    first = {
        c.contact.contact_name: c.start.date()
        for c in plan.calls
        if c.play in ("apology", "clear_the_air")
    }
    assert first["Omar"] == MONDAY
    assert first["Dana"] == recently + timedelta(days=30)


def test_calls_that_do_not_fit_slide_and_the_sequence_keeps_its_spacing() -> None:
    config = Config(schedule=ScheduleSettings(calls_per_day=2))
    plan = plan_of([contact(f"C{i}", line=i + 2) for i in range(5)], config)
    apologies = sorted(c.start.date() for c in plan.calls if c.play == "apology")
    assert apologies == [
        MONDAY,
        MONDAY,
        MONDAY + timedelta(1),
        MONDAY + timedelta(1),
        MONDAY + timedelta(2),
    ]
    business = BusinessDays(config.schedule)
    for name in ("C0", "C4"):
        calls = {c.play: c.start.date() for c in plan.calls if c.contact.contact_name == name}
        day = calls["apology"]
        for _ in range(3):
            day = business.next_after(day)
        assert calls["follow_up"] >= day


def test_holidays_and_time_off_get_no_calls() -> None:
    config = Config(
        schedule=ScheduleSettings(holidays=(date(2027, 3, 2),)),
        reps={"Sam": Rep("Sam", time_off=((date(2027, 3, 3), date(2027, 3, 4)),))},
    )
    plan = plan_of([contact()], config, start=date(2027, 1, 1))  # New Year's Day, a public holiday
    assert plan.calls[0].start.date() == date(2027, 1, 4)
    march = plan_of([contact()], config, start=MONDAY + timedelta(1))
    assert march.calls[0].start.date() == date(2027, 3, 5)


def test_a_call_keeps_its_local_time_across_both_dst_changes() -> None:
    new_york = ZoneInfo("America/New_York")
    for before, after in [
        (date(2027, 3, 12), date(2027, 3, 15)),
        (date(2027, 11, 5), date(2027, 11, 8)),
    ]:
        calls = [plan_of([contact()], start=day).calls[0] for day in (before, after)]
        assert [c.start.astimezone(new_york).time() for c in calls] == [time(9), time(9)]
        offsets = [c.start.astimezone(UTC).hour for c in calls]
        assert offsets == ([14, 13] if before.month == 3 else [13, 14])


def test_rep_hours_are_respected_where_they_overlap_and_flagged_where_they_cannot() -> None:
    config = Config(reps={"Sam": Rep("Sam", timezone="America/New_York")})
    london = plan_of([contact(timezone="Europe/London")], config).calls[0]
    assert london.start.astimezone(ZoneInfo("America/New_York")).time() >= time(9)
    assert "outside_rep_hours" not in london.flags
    sydney = plan_of([contact(timezone="Australia/Sydney")], config).calls[0]
    assert time(9) <= sydney.start.astimezone(ZoneInfo("Australia/Sydney")).time() <= time(16, 30)
    assert "outside_rep_hours" in sydney.flags


def test_priority_upset_first_then_value_then_older_incident() -> None:
    config = Config(schedule=ScheduleSettings(calls_per_day=1))
    plan = plan_of([
        contact("Lapsed", account_id="A-1", status="lapsed", account_value=usd(90000)),
        contact("Small", account_id="A-2", account_value=usd(2000)),
        contact("Newer", account_id="A-3", incident_date=date(2026, 5, 1)),
        contact("Older", account_id="A-4", incident_date=date(2026, 1, 1)),
    ], config)  # fmt: skip
    first_calls = sorted(
        (c.start, c.contact.contact_name)
        for c in plan.calls
        if c.step == 1 and c.play in ("apology", "clear_the_air")
    )
    assert [name for _, name in first_calls] == ["Older", "Newer", "Small", "Lapsed"]


# --- properties over random account sets ---------------------------------------------------

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Kolkata",
         "Australia/Sydney", "Asia/Tokyo", "America/Sao_Paulo", "America/St_Johns", "Pacific/Auckland"]  # fmt: skip
REPS = ["Ana", "Ben", "Cy"]

contacts_strategy = st.lists(
    st.builds(
        lambda account, name, zone, owner, status, value, phone: (account, name, zone, owner, status, value, phone),
        st.integers(0, 12), st.sampled_from(["Ann", "Bob", "Cat", "Dee"]), st.sampled_from(ZONES),
        st.sampled_from(REPS), st.sampled_from(["upset", "lapsed", "resolved"]),
        st.one_of(st.none(), st.integers(0, 100_000)), st.booleans(),
    ),
    max_size=25,
    unique_by=lambda t: (t[0], t[1]),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    rows=contacts_strategy,
    start=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    rep_zone=st.sampled_from(ZONES),
    cap=st.integers(1, 6),
    seed=st.randoms(),
)
def test_scheduling_invariants(
    rows: list[tuple[Any, ...]], start: date, rep_zone: str, cap: int, seed: random.Random
) -> None:
    contacts = [
        contact(name, line=i + 2, account_id=f"A-{account}", timezone=zone, owner=owner, status=status,
                account_value=None if value is None else usd(value),
                phone="+1 555 0100" if phone else None)
        for i, (account, name, zone, owner, status, value, phone) in enumerate(rows)
    ]  # fmt: skip
    config = Config(
        schedule=ScheduleSettings(calls_per_day=cap),
        plays=PlaySettings(keep_in_touch_count=2),
        reps={"Ana": Rep("Ana", timezone=rep_zone)},
    )
    plan = plan_of(contacts, config, start)
    business = BusinessDays(config.schedule)

    for call in plan.calls:
        local_start, local_end = call.start, call.end
        assert str(local_start.tzinfo) == call.contact.timezone
        assert local_start.date() >= start and business(local_start.date())
        assert time(9) <= local_start.time() and local_end.time() <= time(17)
        assert local_end.date() == local_start.date()
        if "outside_rep_hours" not in call.flags:
            rep_local = call.start.astimezone(ZoneInfo(config.rep_timezone(call.owner)))
            assert time(9) <= rep_local.time() <= time(16, 30)

    by_rep: dict[str, list[tuple[datetime, datetime]]] = {}
    per_day: Counter[tuple[str, date]] = Counter()
    for call in plan.calls:
        by_rep.setdefault(call.owner, []).append((call.start, call.end))
        per_day[
            call.owner, call.start.astimezone(ZoneInfo(config.rep_timezone(call.owner))).date()
        ] += 1
    for spans in by_rep.values():
        spans.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert max(per_day.values(), default=0) <= cap

    scheduled = {c.contact.line for c in plan.calls}
    skipped = {s.line for s in plan.skipped}
    assert scheduled.isdisjoint(skipped)
    assert scheduled | skipped == {c.line for c in contacts}

    shuffled = contacts[:]
    seed.shuffle(shuffled)
    again = plan_of(shuffled, config, start)
    assert [(c.id, c.start, c.owner) for c in again.calls] == [
        (c.id, c.start, c.owner) for c in plan.calls
    ]


def test_a_contact_continues_after_the_stage_it_reached() -> None:
    upset = plan_of([contact(stage="small_step 1")])
    assert [(c.play, c.step) for c in upset.calls] == [("small_step", 2), ("substantial_offer", 1)]
    assert upset.calls[0].start.date() == MONDAY
    lapsed = plan_of([contact(status="lapsed", stage="keep_in_touch 2")])
    assert [(c.play, c.step) for c in lapsed.calls] == [("keep_in_touch", n) for n in range(3, 7)]


def test_a_finished_sequence_is_suppressed_and_a_new_incident_starts_over() -> None:
    done = plan_of([contact(stage="substantial_offer")])
    assert done.calls == () and done.skipped[0].kind == "suppressed"
    relapsed = plan_of([contact(stage="keep_in_touch 3")])
    assert relapsed.calls[0].play == "apology"


def test_outside_the_rep_hours_the_slot_nearest_them_is_taken() -> None:
    config = Config(reps={"Sam": Rep("Sam", timezone="America/New_York")})
    kolkata = plan_of([contact(timezone="Asia/Kolkata")], config, start=date(2027, 3, 15)).calls[0]
    assert "outside_rep_hours" in kolkata.flags
    assert kolkata.start.astimezone(ZoneInfo("Asia/Kolkata")).time() == time(16, 30)
    assert kolkata.start.astimezone(ZoneInfo("America/New_York")).time() == time(7, 0)


def test_a_rep_with_holidays_of_their_own_gets_no_call_on_them() -> None:
    early_may = date(2027, 5, 3)  # a bank holiday in the UK, a working day in the US
    london = Config(reps={"Sam": Rep("Sam", timezone="Europe/London", holiday_country="GB")})
    assert plan_of([contact(timezone="Europe/London")], london, start=early_may).calls[
        0
    ].start.date() == date(2027, 5, 4)
    team = Config(reps={"Sam": Rep("Sam", timezone="Europe/London")})
    assert (
        plan_of([contact(timezone="Europe/London")], team, start=early_may).calls[0].start.date()
        == early_may
    )
