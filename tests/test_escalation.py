"""Issue 17 item 7, rule 16: the manager joins the apology of an escalated or valuable account."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outreach.config import parse_config
from outreach.errors import ConfigError
from outreach.render.scripts import ScriptRenderer
from tests.factories import at, build_calendar, make_call, make_contact, usd

SETTINGS = {
    "plays": {"manager_joins_above": 40000},
    "reps": {
        "Marcus Chen": {"email": "marcus@northwind-sales.example", "manager": "Elena Park"},
        "Elena Park": {"email": "elena@northwind-sales.example"},
    },
}
CONFIG = parse_config(SETTINGS, "outreach.toml")
NOW = at(2026, 11, 13)


def test_the_manager_joins_the_apology_of_an_escalated_account() -> None:
    small = make_contact(account_value=usd(5000), escalated="CFO called the CEO")
    apology = make_call(small)
    script = ScriptRenderer(CONFIG).render(apology)
    assert "Elena Park joins this call (the customer escalated)" in script
    calendar = build_calendar(CONFIG, "Marcus Chen", [(apology, script)], now=NOW)
    assert b'ATTENDEE;CN="Elena Park";' in calendar and b"elena@northwind-sales.ex" in calendar
    # only the apology: the follow-up is the rep's own
    follow_up = make_call(small, "follow_up")
    assert "Elena Park" not in ScriptRenderer(CONFIG).render(follow_up)
    assert b"ATTENDEE" not in build_calendar(CONFIG, "Marcus Chen", [(follow_up, "")], now=NOW)


def test_the_manager_joins_above_the_configured_value_and_not_below() -> None:
    renderer = ScriptRenderer(CONFIG)
    big = renderer.render(make_call(make_contact(account_value=usd(48000))))
    assert "Elena Park joins this call (an account worth USD 48,000, above 40,000)" in big
    small = renderer.render(make_call(make_contact(account_value=usd(40000))))
    assert "joins this call" not in small
    without = replace(CONFIG, plays=replace(CONFIG.plays, manager_joins_above=None))
    assert "joins this call" not in ScriptRenderer(without).render(make_call(make_contact()))


@pytest.mark.parametrize(
    ("manager", "entry"),
    [("Nobody Known", {}), ("Marcus Chen", {}), ("Elena Park", {"Elena Park": {}})],
)
def test_a_manager_needs_an_entry_with_an_email(manager: str, entry: dict[str, object]) -> None:
    reps = {"Marcus Chen": {"manager": manager}, **entry}
    with pytest.raises(ConfigError, match=r"reps\.Marcus Chen\.manager") as error:
        parse_config({"reps": reps}, "outreach.toml")
    assert "email" in str(error.value)
