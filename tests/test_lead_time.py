"""Nothing is planned in the past, and invitations give notice (issue 13, points 2 and 3).

The run's clock (`--now`, SOURCE_DATE_EPOCH or the real time) bounds every call: none starts
sooner than `schedule.min_lead_minutes` after it, in whatever zones the contact and the rep
live; a call an invitation draft proposes, not sooner than `invites.min_notice_hours`."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from outreach.app import default_start
from outreach.config import parse_config
from outreach.errors import ConfigError
from outreach.model.records import Contact
from outreach.model.settings import Config, InvitesSettings, PlaySettings, Rep, ScheduleSettings
from outreach.planning.invitations import send_day
from outreach.planning.scheduler import make_roster
from tests.factories import EXAMPLE, SETTINGS, invoke, make_call, row, usd, write_csv

SYDNEY, NEW_YORK = ZoneInfo("Australia/Sydney"), ZoneInfo("America/New_York")
MONDAY_0300_UTC = datetime(2027, 3, 8, 3, 0, tzinfo=UTC)


def _plan_json(*args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    code, out, err = invoke("plan", str(EXAMPLE), "--config", str(SETTINGS), "--format", "json",
                            *args, env=env)  # fmt: skip
    assert code == 0, err
    calls: list[dict[str, Any]] = json.loads(out)["calls"]
    return calls


def _start(call: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(call["start"])


def test_a_monday_morning_utc_run_books_no_sydney_apology_in_the_past() -> None:
    """03:00 UTC on a Monday is 14:00 in Sydney: the apology there is not at 12:00 that day."""
    calls = _plan_json(env={"SOURCE_DATE_EPOCH": str(int(MONDAY_0300_UTC.timestamp()))})
    assert min(_start(c) for c in calls) >= MONDAY_0300_UTC + timedelta(minutes=60)
    harriet = next(c for c in calls if c["contact_name"] == "Harriet Cole")
    assert harriet["play"] == "apology"
    assert _start(harriet) == datetime(2027, 3, 8, 15, 0, tzinfo=SYDNEY)  # 03:00 UTC + 1 h


def test_plan_and_preview_take_now_as_generate_does() -> None:
    calls = _plan_json("--now", "2027-03-08T03:00Z")
    assert min(_start(c) for c in calls) >= MONDAY_0300_UTC + timedelta(minutes=60)
    code, out, err = invoke("preview", str(EXAMPLE), "--config", str(SETTINGS), "--account",
                            "A-1002", "--now", "2027-03-08T03:00Z")  # fmt: skip
    assert code == 0, err
    assert "**When:** Monday 8 March 2027, 15:00 Sydney time" in out


def test_the_lead_time_is_a_setting(tmp_path: Path) -> None:
    settings_file = tmp_path / "lead.toml"
    text = SETTINGS.read_text(encoding="utf-8")
    settings_file.write_text(text.replace("[schedule]\n", "[schedule]\nmin_lead_minutes = 150\n"),
                             encoding="utf-8")  # fmt: skip
    code, out, err = invoke("plan", str(EXAMPLE), "--config", str(settings_file),
                            "--format", "json", "--now", "2027-03-08T03:00Z")  # fmt: skip
    assert code == 0, err
    harriet = next(c for c in json.loads(out)["calls"] if c["contact_name"] == "Harriet Cole")
    assert _start(harriet) == datetime(2027, 3, 8, 16, 30, tzinfo=SYDNEY)  # 03:00 UTC + 2.5 h


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("schedule", "min_lead_minutes", -1, "must not be negative"),
        ("schedule", "min_lead_minutes", "an hour", "must be a whole number"),
        ("invites", "min_notice_hours", -24, "must not be negative"),
        ("invites", "send_days_before", 1.5, "must be a whole number"),
    ],
)
def test_lead_and_notice_settings_are_checked_and_named(
    section: str, key: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({section: {key: value}}, "team.toml")
    assert f"team.toml: {section}.{key}" in str(error.value) and message in str(error.value)


# --- every call after the clock, whatever the clock and the zones ---------------------------

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
         "Asia/Kolkata", "Australia/Sydney", "Asia/Tokyo", "Pacific/Auckland", "America/St_Johns",
         "Pacific/Honolulu"]  # fmt: skip
AWKWARD_CLOCKS = [
    datetime(2027, 3, 7, 23, 30, tzinfo=NEW_YORK),  # late Sunday in New York: Monday in Sydney
    datetime(2027, 3, 14, 6, 59, tzinfo=UTC),  # a minute before New York springs forward
    datetime(2027, 11, 7, 5, 30, tzinfo=UTC),  # half an hour before New York falls back
    datetime(2027, 4, 3, 15, 45, tzinfo=UTC),  # Sydney's summer time ends at 16:00 UTC
    datetime(2027, 10, 31, 0, 59, tzinfo=UTC),  # Europe falls back at 01:00 UTC
    datetime(2027, 3, 12, 22, 0, tzinfo=UTC),  # Friday evening UTC: Saturday in Sydney
    datetime(2027, 3, 10, 23, 59, tzinfo=UTC),  # the last minute of a UTC day
    datetime(2027, 3, 10, 16, 59, tzinfo=NEW_YORK),  # the last minute of a New York business day
    datetime(2027, 3, 10, 8, 15, tzinfo=NEW_YORK),  # 45 minutes before the day starts
]
clocks = st.one_of(
    st.sampled_from(AWKWARD_CLOCKS),
    st.datetimes(
        datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; the values are not
        datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, *(ZoneInfo(zone) for zone in ZONES)]),
    ),
)
people = st.lists(
    st.tuples(st.sampled_from(ZONES), st.sampled_from(["Ana", "Ben"]),
              st.sampled_from(["upset", "lapsed"]), st.booleans()),
    min_size=1, max_size=12,
)  # fmt: skip


def _contact(index: int, zone: str, owner: str, status: str, email: bool) -> Contact:
    return Contact(line=index + 2, account_id=f"A-{index}", company="Acme", contact_name=f"C{index}",
                   status=status, owner=owner, timezone=zone,  # type: ignore[arg-type]
                   email=f"c{index}@acme.example" if email else None, phone="+1 212 555 0100",
                   account_value=usd(5000))  # fmt: skip


@pytest.mark.slow  # 80 plans over awkward clocks: the Sydney test above is the quick check
@settings(max_examples=80, deadline=None)
@example(  # a clock a microsecond past the hour: the notice ends after the hour, not on it
    clock=datetime(2026, 2, 1, 1, 0, 0, 1, tzinfo=ZoneInfo("America/New_York")),
    contacts=[("America/New_York", "Ana", "lapsed", True)],
    rep_zones=("America/New_York", "America/New_York"), lead=0, notice=56, cap=1, days_back=None,
)  # fmt: skip
@given(
    clock=clocks,
    contacts=people,
    rep_zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    lead=st.integers(0, 600),
    notice=st.integers(0, 72),
    cap=st.integers(1, 4),
    days_back=st.one_of(st.none(), st.integers(0, 5)),
)
def test_no_call_starts_before_the_clock_plus_the_lead_time(
    clock: datetime, contacts: list[tuple[str, str, str, bool]], rep_zones: tuple[str, str],
    lead: int, notice: int, cap: int, days_back: int | None,
) -> None:  # fmt: skip
    config = Config(
        schedule=ScheduleSettings(min_lead_minutes=lead, calls_per_day=cap),
        plays=PlaySettings(keep_in_touch_count=1, lapsed_cooldown_days=0),
        invites=InvitesSettings(min_notice_hours=notice),
        reps={
            "Ana": Rep("Ana", timezone=rep_zones[0], email="ana@team.example"),
            "Ben": Rep("Ben", timezone=rep_zones[1]),  # no address: Ben's contacts get no draft
        },
    )
    # The default start, or a start the user typed that is already past.
    start = default_start(clock, config)
    if days_back is not None:
        start = clock.astimezone(UTC).date() - timedelta(days=days_back)
    people_ = [_contact(i, *person) for i, person in enumerate(contacts)]
    plan = make_roster(people_, config, start, "c.csv", now=clock).plan()
    assert len({c.contact.line for c in plan.calls}) == len(people_)  # everyone is still called
    earliest = clock.timestamp() + lead * 60
    for call in plan.calls:
        assert call.at >= earliest, (call.start, clock)
        if call.contact.status == "lapsed" and call.contact.email and call.owner == "Ana":
            assert call.at >= clock.timestamp() + notice * 3600  # a draft proposes it


# --- invitations give notice, and say when to send them ----------------------------------------


def _team(tmp_path: Path) -> Path:
    settings_file = tmp_path / "team.toml"
    settings_file.write_text('[reps."Sam Rep"]\nemail = "sam@team.example"\n', encoding="utf-8")
    return settings_file


def _generate(tmp_path: Path, out: str, *extra: str) -> tuple[str, list[dict[str, str]]]:
    contacts = write_csv(tmp_path / "c.csv", [
        row(contact_name="Lee Park", status="lapsed", email="lee@acme.example"),
        row(contact_name="No Mail", status="lapsed", email=""),
    ])  # fmt: skip
    code, stdout, err = invoke("generate", str(contacts), "--out", str(tmp_path / out),
                               "--config", str(_team(tmp_path)), "--now", "2027-03-08T14:00Z",
                               "--start", "2027-03-08",
                               *extra)  # fmt: skip
    assert code == 0, err
    with (tmp_path / out / "plan.csv").open(encoding="utf-8") as handle:
        return stdout, list(csv.DictReader(handle))


def test_a_call_a_draft_proposes_is_a_day_away_at_least(tmp_path: Path) -> None:
    _, rows = _generate(tmp_path, "out", "--invites")
    clock = datetime(2027, 3, 8, 14, 0, tzinfo=UTC)
    first = {r["contact_name"]: datetime.fromisoformat(r["start"]) for r in rows
             if r["play"] == "clear_the_air"}  # fmt: skip
    assert first["Lee Park"] >= clock + timedelta(hours=24)
    # Without an address there is no draft and no notice to give: the next free slot.
    assert first["No Mail"] < clock + timedelta(hours=24)


def test_drafts_or_not_the_calls_are_the_same(tmp_path: Path) -> None:
    _, with_drafts = _generate(tmp_path, "with", "--invites")
    _, without = _generate(tmp_path, "without")
    assert [(r["id"], r["start"]) for r in with_drafts] == [(r["id"], r["start"]) for r in without]


def test_drafts_are_filed_by_the_day_to_send_them(tmp_path: Path) -> None:
    stdout, rows = _generate(tmp_path, "out", "--invites")
    drafts = sorted(p.relative_to(tmp_path / "out").as_posix()
                    for p in (tmp_path / "out" / "invites").rglob("*.eml"))  # fmt: skip
    lee = [r for r in rows if r["contact_name"] == "Lee Park"]
    assert len(drafts) == len(lee) == 5  # clear the air, then four check-ins
    by_call = {d.rsplit("/", 1)[1].split("_", 1)[0]: d.split("/")[2] for d in drafts}
    for call in lee:
        day = datetime.fromisoformat(call["start"]).date()
        folder = by_call[day.isoformat()]
        if call["play"] == "clear_the_air":  # tomorrow: to send today, which gives a day's notice
            assert folder == "send-2027-03-08"
        else:  # a quarter away: not today, but two weeks before the call
            assert folder == f"send-{(day - timedelta(days=14)).isoformat()}"
    assert "1 to send today, 4 later" in stdout
    assert "send-<day>" in stdout


def test_the_send_day_keeps_the_notice_when_the_days_before_are_few() -> None:
    config = Config(invites=InvitesSettings(min_notice_hours=24, send_days_before=1))
    now = datetime(2027, 3, 8, 8, 0, tzinfo=NEW_YORK)  # Monday morning
    wednesday = make_call(make_contact_lapsed(), "clear_the_air",
                          start=datetime(2027, 3, 10, 10, 0, tzinfo=NEW_YORK))  # fmt: skip
    # The day before would give less than a day's notice late on Tuesday: send on Monday.
    assert send_day(config, wednesday, now) == date(2027, 3, 8)
    far = make_call(make_contact_lapsed(), "keep_in_touch",
                    start=datetime(2027, 6, 10, 10, 0, tzinfo=NEW_YORK))  # fmt: skip
    assert send_day(config, far, now) == date(2027, 6, 8)


def make_contact_lapsed() -> Contact:
    from tests.factories import make_contact

    return make_contact(status="lapsed")
