"""Call scripts: the built-in templates carry the playbook, and user templates cannot break it.

Golden files under tests/golden/scripts/ hold one rendered script per play and fault kind;
regenerate them with `UPDATE_GOLDEN=1 pytest tests/test_scripts.py`, then read each by eye."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from outreach.errors import TemplateError
from outreach.model.money import Money
from outreach.model.plan import Call
from outreach.model.plays import PLAYS, SILENT_PLAYS, Play
from outreach.model.records import Contact
from outreach.model.settings import Config, PlaySettings, Rep
from outreach.render.context import play_variables
from outreach.render.scripts import ScriptRenderer
from outreach.render.templates import builtin_templates_dir
from tests.factories import at, make_call, make_contact, make_handover_call, split_brief

GOLDEN = Path(__file__).parent / "golden" / "scripts"
CONFIG = Config(
    reps={
        "Marcus Chen": Rep("Marcus Chen", "Europe/Berlin", "marcus.chen@ours.example"),
        "Priya Nair": Rep("Priya Nair", "Europe/London", "priya.nair@ours.example"),
        "Tom Becker": Rep("Tom Becker", "Australia/Sydney"),
    }
)

INCIDENT = "Forty crates of zinc-plated hinges went to Duluth instead of Dover"
ROOT_CAUSE = "A warehouse label template swapped two postcodes"
CHANGES = "Every label is now scanned against the order before loading"
OPTION = "Refund the freight on the misrouted crates"
REASON = "misrouting"
INCIDENT_TEXTS = (INCIDENT, ROOT_CAUSE, CHANGES, OPTION, REASON, "2019")

RULE_5_HEADINGS = (
    "## 1. Apologize first",
    "## 2. Say what happened, as you understand it",
    "## 3. Take responsibility",
    "## 4. Explain what has changed",
    "## 5. Explore: ask, don't just listen",
    "## 6. Offer options",
    "## 7. Agree the next step",
)


def distinctive_contact(**overrides: object) -> Contact:
    fields: dict[str, object] = {
        "incident": INCIDENT,
        "root_cause": ROOT_CAUSE,
        "changes_made": CHANGES,
        "options": (OPTION,),
        "reason": REASON,
        "incident_date": date(2019, 2, 28),
    }
    fields.update(overrides)
    return make_contact(**fields)


def minimal_contact(**overrides: object) -> Contact:
    """Only the required cells: every optional one is empty."""
    fields: dict[str, object] = {
        "line": 3,
        "account_id": "B-7",
        "company": "Acme Supply",
        "contact_name": "Sam Lee",
        "status": "upset",
        "owner": "Jo Park",
        "timezone": "America/Chicago",
    }
    fields.update(overrides)
    return Contact(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def renderer() -> ScriptRenderer:
    return ScriptRenderer(CONFIG)


def write_templates(folder: Path, **files: str) -> Path:
    """A user's templates folder: each keyword is a file name, its value the template."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def user_renderer(folder: Path, files: dict[str, str]) -> ScriptRenderer:
    return ScriptRenderer(CONFIG, write_templates(folder, **files))


# --- Golden scripts: one per play and fault kind, read by eye before they were committed ---


def _golden_calls() -> dict[str, tuple[Call, Call | None]]:
    dana = make_contact()
    follow_up = make_call(dana, "follow_up", start=at(2026, 11, 19, 11))
    harriet = make_contact(
        account_id="A-1002",
        company="Bluegum Logistics",
        contact_name="Harriet Cole",
        contact_title="Operations Director",
        email="h.cole@bluegum.example",
        phone="+61 2 5550 1234",
        timezone="Australia/Sydney",
        owner="Tom Becker",
        fault="personal",
        reason="quote",
        incident="Quoted freight rates that had expired a week before the contract was signed",
        root_cause="I sent last quarter's rate card instead of the current one",
        changes_made="I now quote only from the live pricing tool, and a colleague checks each quote",
        options=("Honour the quoted rate for this shipment", "A rate lock for the next quarter"),
        low_risk_offer="One lane at the quoted rate for a month",
        account_value=None,
        attempts=0,
        last_contact=None,
        notes=None,
    )
    grace = make_contact(
        account_id="A-1004",
        company="Meridian Health Partners",
        contact_name="Grace Okafor",
        contact_title="Facilities Manager",
        phone="+44 20 7946 0321",
        email=None,
        timezone="Europe/London",
        reason="billing",
        incident="Invoiced twice for the October service visit",
        root_cause="Our billing system retried a failed export and created a duplicate invoice",
        changes_made="Duplicate invoices are now blocked at export, and finance reviews retries by hand",
        options=("Refund within three days",),
        account_value=None,
        notes="Paid both invoices before noticing",
    )
    kenji = make_contact(
        account_id="A-1005",
        company="Sakura Foods K.K.",
        contact_name="Kenji Watanabe",
        contact_title="Purchasing Manager",
        phone="+81 3 5550 4412",
        email="kenji.watanabe@sakura.example",
        timezone="Asia/Tokyo",
        status="lapsed",
        fault="personal",
        reason="service",
        incident="A site visit promised for June never took place",
        incident_date=date(2026, 6, 15),
        root_cause="The week was double-booked and the visit was never rescheduled",
        changes_made="Every visit is now confirmed in writing and kept in a calendar shared with the account",
        options=("A visit at their convenience this month", "A free packaging consultation"),
        low_risk_offer="A sample pallet of the new trays",
        account_value=Money(Decimal(9_800_000), "JPY"),
        last_contact=date(2026, 7, 1),
        notes="Personality clash with Marcus on the last call",
    )
    kenji_first = at(2026, 11, 17, 9, zone="Asia/Tokyo")
    handover_contact = replace(kenji, handoff_to="Priya Nair")
    return {
        "apology_company": (make_call(dana, "apology"), follow_up),
        "apology_personal": (
            make_call(harriet, "apology", start=at(2026, 11, 16, 9, zone="Australia/Sydney")),
            make_call(harriet, "follow_up", start=at(2026, 11, 19, 9, zone="Australia/Sydney")),
        ),
        "apology_handover": (make_handover_call(dana, flags=("handover", "introduce")), follow_up),
        "apology_billing": (
            make_call(grace, "apology", start=at(2026, 11, 16, 14, zone="Europe/London")),
            None,
        ),
        "follow_up": (follow_up, make_call(dana, "small_step", start=at(2026, 12, 3))),
        "small_step": (
            make_call(dana, "small_step", start=at(2026, 12, 3)),
            make_call(dana, "small_step", step=2, start=at(2026, 12, 31)),
        ),
        "substantial_offer": (
            make_call(
                dana,
                "substantial_offer",
                start=at(2027, 2, 11),
                flags=("only_if_small_steps_went_well",),
            ),
            None,
        ),
        "clear_the_air": (
            make_handover_call(
                kenji,
                "clear_the_air",
                start=kenji_first,
                flags=("handover", "introduce", "outside_rep_hours"),
            ),
            make_call(
                handover_contact,
                "keep_in_touch",
                start=at(2027, 2, 17, 9, zone="Asia/Tokyo"),
                owner="Priya Nair",
                handover_from="Marcus Chen",
            ),
        ),
        "keep_in_touch": (
            make_call(
                handover_contact,
                "keep_in_touch",
                step=2,
                owner="Priya Nair",
                start=at(2027, 5, 17, 9, zone="Asia/Tokyo"),
                handover_from="Marcus Chen",
                flags=("outside_rep_hours",),
            ),
            make_call(
                handover_contact,
                "keep_in_touch",
                step=3,
                owner="Priya Nair",
                start=at(2027, 8, 17, 9, zone="Asia/Tokyo"),
                handover_from="Marcus Chen",
            ),
        ),
        "invite_apology": (make_call(dana, "apology"), None),
        "invite_handover": (
            make_handover_call(
                kenji, "clear_the_air", start=kenji_first, flags=("handover", "introduce")
            ),
            None,
        ),
    }


GOLDEN_CALLS = _golden_calls()


@pytest.mark.parametrize("case", sorted(GOLDEN_CALLS))
def test_scripts_match_their_golden_files(renderer: ScriptRenderer, case: str) -> None:
    call, next_call = GOLDEN_CALLS[case]
    if case.startswith("invite_"):
        rendered, golden = renderer.render_invite(call), GOLDEN / f"{case}.txt"
    else:
        rendered, golden = renderer.render(call, next_call), GOLDEN / f"{case}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


# --- The playbook in the built-in templates ---


@pytest.mark.parametrize("fault", ["company", "personal"])
@pytest.mark.parametrize("reason", ["delivery", "billing", "quote", None])
@pytest.mark.parametrize("handover", [False, True])
def test_the_apology_has_every_step_of_rule_5_in_order(
    renderer: ScriptRenderer, fault: str, reason: str | None, handover: bool
) -> None:
    contact = make_contact(fault=fault, reason=reason)
    call = make_handover_call(contact) if handover else make_call(contact)
    script = renderer.render(call, make_call(contact, "follow_up", start=at(2026, 11, 19)))
    positions = [script.find(heading) for heading in RULE_5_HEADINGS]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert script.index("## Brief") < positions[0]
    assert script.count("\n## 6. Offer options\n\n") == 1


def test_the_apology_speaks_for_whoever_failed(renderer: ScriptRenderer) -> None:
    company = renderer.render(make_call(make_contact(fault="company")), None)
    personal = renderer.render(make_call(make_contact(fault="personal")), None)
    handover = renderer.render(
        make_handover_call(make_contact(fault="personal"), flags=("handover", "introduce")), None
    )
    assert "on behalf of all of us" in company and "personally" not in section(company, 1)
    assert "apologize to you personally" in personal and "That was my mistake" in personal
    assert "my name is Priya Nair" in section(handover, 1)
    assert "taking over from Marcus Chen" in section(handover, 1)
    assert "my mistake" not in handover and "Never blame Marcus Chen" in handover


def section(script: str, number: int) -> str:
    start = script.index(f"## {number}. ")
    end = script.find("\n## ", start + 1)
    return script[start:end]


def offered(script: str) -> list[str]:
    return re.findall(r"^\d\. (.+)$", section(script, 6), re.MULTILINE)


def test_the_apology_offers_only_approved_options(renderer: ScriptRenderer) -> None:
    """Rule 17: nothing improvised; rule 18: the rep knows what to do when none is accepted."""
    bare = renderer.render(make_call(make_contact(options=(), reason=None)), None)
    assert offered(bare) == []
    assert "No options are recorded.** Get two or three approved" in bare
    recorded = renderer.render(make_call(make_contact(options=("Only this",))), None)
    assert offered(recorded) == ["Only this"]
    extra = ScriptRenderer(replace(CONFIG, plays=PlaySettings(extra_offer="A 5% credit")))
    assert offered(extra.render(make_call(make_contact(options=("Only this",))), None)) == [
        "Only this",
        "A 5% credit",
    ]
    for script in (bare, recorded):
        assert "accepts none and ends it: accept gracefully" in section(script, 6)


def test_no_recorded_change_is_never_announced(renderer: ScriptRenderer) -> None:
    for play in ("apology", "clear_the_air"):
        script = renderer.render(make_call(make_contact(changes_made=None), play), None)
        changed = section(script, 4 if play == "apology" else 3)
        assert "changed how" not in changed and "never invent" in changed


def test_clear_the_air_speaks_for_whoever_failed(renderer: ScriptRenderer) -> None:
    """Rule 4 on the clear-the-air call: a personal fault in the first person, else "we"."""
    personal = renderer.render(make_call(make_contact(fault="personal"), "clear_the_air"), None)
    company = renderer.render(make_call(make_contact(fault="company"), "clear_the_air"), None)
    assert '"I let you down' in section(personal, 2) and "I've changed how I work" in personal
    assert '"We let you down' in section(company, 2) and "we've changed how we work" in company
    assert "It was our responsibility" in company and "our responsibility" not in personal


def test_the_check_back_date_is_the_follow_up_calls(renderer: ScriptRenderer) -> None:
    contact = make_contact()
    script = renderer.render(
        make_call(contact), make_call(contact, "follow_up", start=at(2026, 11, 24))
    )
    assert "call you on Tuesday 24 November 2026 to check" in section(script, 7)
    without = renderer.render(make_call(contact), None)
    assert "call you in a few days to check" in section(without, 7)


def test_the_apology_carries_rule_6_listening_cues(renderer: ScriptRenderer) -> None:
    script = renderer.render(make_call(make_contact()), None)
    assert "Louder or faster means angry" in script
    assert "A pause is not agreement" in script
    assert "Have I got that right?" in script


@pytest.mark.parametrize("play", sorted(SILENT_PLAYS))
@pytest.mark.parametrize("handover", [False, True])
def test_rule_8_plays_never_mention_the_incident(
    renderer: ScriptRenderer, play: Play, handover: bool
) -> None:
    contact = distinctive_contact()
    call = (
        make_handover_call(contact, play, step=2) if handover else make_call(contact, play, step=2)
    )
    brief, said = split_brief(renderer.render(call, make_call(contact, play, step=3)))
    assert INCIDENT in brief and ROOT_CAUSE in brief  # rule 10: the rep knows the history
    for text in (said, renderer.render_invite(call)):
        for fragment in INCIDENT_TEXTS:
            assert fragment not in text, (play, fragment)


def test_the_follow_up_checks_the_promises_but_not_the_incident(renderer: ScriptRenderer) -> None:
    contact = distinctive_contact()
    brief, said = split_brief(renderer.render(make_call(contact, "follow_up"), None))
    assert CHANGES in said and OPTION in said
    assert INCIDENT not in said and ROOT_CAUSE not in said
    assert INCIDENT in brief


@pytest.mark.parametrize("play", PLAYS)
def test_invitations_never_discuss_the_problem(renderer: ScriptRenderer, play: Play) -> None:
    invite = renderer.render_invite(make_call(distinctive_contact(), play))
    assert "Hello Dana," in invite and "Monday 16 November 2026 at 10:00" in invite
    for fragment in INCIDENT_TEXTS:
        assert fragment not in invite


def test_clear_the_air_reviews_the_mistake_and_asks_plainly(renderer: ScriptRenderer) -> None:
    script = renderer.render(make_call(distinctive_contact(status="lapsed"), "clear_the_air"), None)
    assert INCIDENT in script and CHANGES in script
    assert "would you consider doing business with us again?" in script


def test_keep_in_touch_asks_about_the_changes_of_rule_11(renderer: ScriptRenderer) -> None:
    script = renderer.render(make_call(make_contact(), "keep_in_touch"), None)
    for question in ("current supplier", "who does the buying", "needs changed", "acquisition"):
        assert question in script


def test_the_substantial_offer_is_flagged(renderer: ScriptRenderer) -> None:
    call = make_call(make_contact(), "substantial_offer", flags=("only_if_small_steps_went_well",))
    assert "**Only if the small steps went well.**" in renderer.render(call, None)


# --- Empty cells and Markdown safety ---


@pytest.mark.parametrize("play", PLAYS)
def test_empty_cells_never_print_none_or_a_blank(renderer: ScriptRenderer, play: Play) -> None:
    call = make_call(minimal_contact(), play)
    for text in (renderer.render(call, None), renderer.render_invite(call)):
        assert "None" not in text
        assert "\n\n\n" not in text
        assert not re.search(r"(\*\*[^*]+:\*\* *$|\(\)|, ,| \.|\S  +\S)", text, re.MULTILINE), text
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_csv_values_are_data_not_template_code(renderer: ScriptRenderer) -> None:
    contact = make_contact(
        contact_name="{{ 7*7 }}",
        company="{% include '/etc/passwd' %}",
        notes="{{ ''.__class__.__mro__ }}",
        options=("{% for x in range(3) %}x{% endfor %}",),
    )
    script = renderer.render(make_call(contact), None)
    # Printed as typed; the backslashes keep Markdown from reading `*` and `__` as emphasis.
    assert "# Apology call: {{ 7\\*7 }}, {% include '/etc/passwd' %}" in script
    assert "{{ ''.\\_\\_class\\_\\_.\\_\\_mro\\_\\_ }}" in script
    assert "1. {% for x in range(3) %}x{% endfor %}" in script
    assert "49" not in script


def test_a_csv_value_cannot_start_a_markdown_section(renderer: ScriptRenderer) -> None:
    contact = make_contact(
        contact_name="X\n# Injected",
        company="# Corp",
        notes="first line\n\n## Second\n> quoted",
        options=("1. numbered", "- dashed"),
    )
    script = renderer.render(make_call(contact), None)
    clean = renderer.render(make_call(make_contact()), None)
    assert headings(script)[1:] == headings(clean)[1:]
    assert headings(script)[0] == "# Apology call: X / # Injected, \\# Corp"
    assert not any(line.lstrip("> -").startswith(("# ", "## ")) for line in blocks(script))
    assert "X / # Injected" in script
    assert "\\# Corp" in script
    assert "first line / ## Second / > quoted" in script
    assert "1. 1\\. numbered" in script and "2. \\- dashed" in script


def headings(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.startswith("#")]


def blocks(script: str) -> list[str]:
    """Every line but the headings the template wrote."""
    return [line for line in script.splitlines() if not line.startswith("#")]


# --- User templates: overrides, variants, rule 8 by construction, clear errors ---


def test_a_user_template_overrides_by_file_name_and_the_rest_fall_back(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"small_step.md.j2": "Small for {{ contact.first_name }}\n"})
    contact = make_contact()
    assert renderer.render(make_call(contact, "small_step"), None) == "Small for Dana\n"
    assert "## 1. Apologize first" in renderer.render(make_call(contact), None)


def test_a_user_template_can_extend_the_built_in_it_replaces(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path,
        {
            "keep_in_touch.md.j2": '{% extends "builtin/keep_in_touch.md.j2" %}'
            "{% block title %}Quarterly hello{% endblock %}",
        },
    )
    script = renderer.render(make_call(make_contact(), "keep_in_touch"), None)
    assert script.startswith("# Quarterly hello: Dana Ruiz, Northwind Traders\n")
    assert "current supplier" in script


def test_a_user_base_layout_is_used_by_the_built_in_plays(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"base.md.j2": "MY LAYOUT\n{% block body %}{% endblock %}"})
    assert renderer.render(make_call(make_contact()), None).startswith("MY LAYOUT\n")


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("delivery", "apology.delivery.md.j2"),
        ("Delivery", "apology.delivery.md.j2"),
        ("billing", "apology.billing.md.j2"),
        ("quality", "apology.md.j2"),
        (None, "apology.md.j2"),
        ("../../etc/passwd", "apology.md.j2"),
    ],
)
def test_a_reason_picks_its_variant(
    renderer: ScriptRenderer, reason: str | None, expected: str
) -> None:
    assert renderer.template_for("apology", reason).name == expected


def test_the_delivery_apology_differs_from_the_generic_one(renderer: ScriptRenderer) -> None:
    delivery = renderer.render(make_call(make_contact(reason="delivery", options=())), None)
    generic = renderer.render(make_call(make_contact(reason="quality", options=())), None)
    assert "order number" in delivery and "order number" not in generic


def test_user_variants_and_silent_plays(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path,
        {
            "follow_up.late_delivery.md.j2": "late: {{ changes_made }}\n",
            "keep_in_touch.delivery.md.j2": "never used\n",
        },
    )
    contact = make_contact(reason="Late delivery")
    assert renderer.render(make_call(contact, "follow_up"), None).startswith("late: Dispatch")
    # The reason belongs to the incident, which the rule-8 plays do not see: no variants there.
    assert renderer.template_for("keep_in_touch", "delivery").name == "keep_in_touch.md.j2"


def test_a_rule_8_template_naming_the_incident_fails_clearly(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path,
        {
            "keep_in_touch.md.j2": "Hi {{ contact.first_name }}\n\n{% if call.step > 99 %}\n"
            "About {{ incident }}\n{% endif %}\n",
        },
    )
    with pytest.raises(TemplateError) as raised:
        renderer.render(make_call(make_contact(), "keep_in_touch"), None)
    assert str(raised.value) == (
        f"{tmp_path / 'keep_in_touch.md.j2'}:4: 'incident' is not available to keep_in_touch "
        "calls (rule 8: after the apology, never bring the incident up again)"
    )


def test_the_follow_up_cannot_name_the_root_cause(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path, {"follow_up.md.j2": "{{ changes_made }}\n{{ root_cause }}\n"}
    )
    with pytest.raises(TemplateError, match=r"follow_up\.md\.j2:2: 'root_cause' is not available"):
        renderer.render(make_call(make_contact(), "follow_up"), None)


def test_a_shared_layout_naming_the_incident_fails_when_a_rule_8_play_renders(
    tmp_path: Path,
) -> None:
    renderer = user_renderer(tmp_path, {"base.md.j2": "# {{ company }}\n\n{{ incident }}\n"})
    assert "Spring order" in renderer.render(make_call(make_contact()), None)
    with pytest.raises(TemplateError) as raised:
        renderer.render(make_call(make_contact(), "small_step"), None)
    assert str(raised.value).startswith(
        f"{tmp_path / 'base.md.j2'}:3: 'incident' is not available to small_step calls (rule 8"
    )


def test_an_invitation_template_cannot_discuss_the_problem(tmp_path: Path) -> None:
    renderer = user_renderer(tmp_path, {"invite.txt.j2": "Re: {{ incident }}\n"})
    with pytest.raises(
        TemplateError, match=r"invite\.txt\.j2:1: 'incident' is not available to invitations"
    ):
        renderer.render_invite(make_call(make_contact()))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("line one\n{{ contcat.name }}\n", "apology.md.j2:2: 'contcat' is undefined"),
        ("{{ contact.nmae }}\n", "apology.md.j2:1: 'nmae' is undefined"),
        ("a\nb\n{% if x %}\n", "apology.md.j2:3: Unexpected end of template"),
        ("{{ contact.name }\n", "apology.md.j2:1: unexpected '}'"),
        (
            "{{ ''.__class__.__mro__ }}\n",
            "apology.md.j2:1: access to attribute '__class__' of 'str' object is unsafe",
        ),
        (
            "{{ options.append(1) }}\n",
            "apology.md.j2:1: access to attribute 'append' of 'list' object is unsafe",
        ),
        (
            "x\n{% include '../secret.txt' %}\n",
            "apology.md.j2:2: template '../secret.txt' not found",
        ),
        ("{% include '/etc/passwd' %}\n", "apology.md.j2:1: template '/etc/passwd' not found"),
        ("{{ 1 / 0 }}\n", "apology.md.j2:1: ZeroDivisionError: division by zero"),
    ],
)
def test_template_mistakes_are_one_line_naming_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "secret.txt").write_text("do not show")
    renderer = user_renderer(tmp_path / "templates", {"apology.md.j2": text})
    with pytest.raises(TemplateError) as raised:
        renderer.render(make_call(make_contact()), None)
    assert str(raised.value).startswith(f"{tmp_path / 'templates'}{os.sep}{message}"), str(
        raised.value
    )
    assert "\n" not in str(raised.value)


def test_check_templates_compiles_every_template_before_the_run(tmp_path: Path) -> None:
    names = ScriptRenderer(CONFIG).check_templates()
    assert {
        "apology.md.j2",
        "apology.delivery.md.j2",
        "invite.txt.j2",
        "keep_in_touch.md.j2",
    } <= set(names)
    broken = user_renderer(tmp_path, {"apology.quality.md.j2": "{% if %}"})
    with pytest.raises(TemplateError, match=r"apology\.quality\.md\.j2:1: "):
        broken.check_templates()


def test_a_missing_templates_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not a folder of templates"):
        ScriptRenderer(CONFIG, tmp_path / "nope")


def test_each_template_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    renderer = ScriptRenderer(CONFIG)
    compiled: list[str | None] = []
    compile_template = renderer.environment.compile

    def counting(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(name)
        return compile_template(source, name, *args, **kwargs)

    monkeypatch.setattr(renderer.environment, "compile", counting)
    contact = make_contact()
    for _ in range(3):
        for play in PLAYS:
            renderer.render(make_call(contact, play), None)
        renderer.render_invite(make_call(contact))
    assert len(compiled) == len(set(compiled))
    assert "base.md.j2" in compiled


def test_play_variables_describe_what_each_play_gets() -> None:
    assert {"incident", "root_cause", "options", "changes_made", "fault"} <= set(
        play_variables("apology")
    )
    assert {"changes_made", "options", "fault"} <= set(play_variables("follow_up"))
    assert "incident" not in play_variables("follow_up")
    for play in SILENT_PLAYS:
        hidden = {
            "incident",
            "incident_date",
            "root_cause",
            "reason",
            "fault",
            "changes_made",
            "options",
        }
        assert not hidden & set(play_variables(play))
        assert {"contact", "call", "rep", "low_risk_offer", "extra"} <= set(play_variables(play))


def test_extra_columns_reach_templates(tmp_path: Path) -> None:
    renderer = user_renderer(
        tmp_path, {"apology.md.j2": "{{ extra['Region'] }} {{ extra.get('Tier') }}\n"}
    )
    contact = make_contact(extra=(("Region", "North\n# East"),))
    assert renderer.render(make_call(contact), None) == "North / # East \n"


def test_the_built_in_templates_are_found() -> None:
    assert (builtin_templates_dir() / "base.md.j2").is_file()


# --- Scripts a rep can scan in two minutes (issue 17, item 6) ---

LONGEST_WORDS = {"apology": 460, "clear_the_air": 450}
"""Words at most in each play's longest script on the example; the other plays: OTHERS."""
OTHERS = 420
STEPS_WORDS = 320
"""Words at most after the brief in the other plays (the follow-up also says how to log a promise
not kept): their briefs now carry the history too."""


def words(text: str) -> int:
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def test_the_examples_scripts_are_short_enough_to_scan() -> None:
    from outreach.app import plan_file
    from outreach.config import load_config
    from outreach.render.scripts import next_calls
    from tests.factories import EXAMPLE, SETTINGS

    config = load_config(SETTINGS)
    plan = plan_file(EXAMPLE, config, date(2027, 3, 8))
    renderer, following = ScriptRenderer(config), next_calls(plan.calls)
    longest: dict[str, int] = {}
    for call in plan.calls:
        script = renderer.render(call, following.get(call.id))
        longest[call.play] = max(longest.get(call.play, 0), words(script))
        if call.play not in LONGEST_WORDS:
            assert words(split_brief(script)[1]) <= STEPS_WORDS, (call.play, call.contact)
        if call.play in ("apology", "clear_the_air") and not call.handover:
            assert script.count(call.contact.incident or "") == 2, call.id  # brief and steps
    assert set(longest) == set(PLAYS)
    for play, count in longest.items():
        assert count <= LONGEST_WORDS.get(play, OTHERS), (play, count)


def test_the_check_in_asks_for_the_time_booked(renderer: ScriptRenderer) -> None:
    script = renderer.render(make_call(make_contact(), "keep_in_touch", minutes=20), None)
    assert "Have you got 20 minutes?" in section(script, 1) and "five" not in script


def test_scripts_give_times_as_people_say_them(renderer: ScriptRenderer) -> None:
    contact = make_contact(timezone="America/Argentina/Buenos_Aires")
    script = renderer.render(make_call(contact), None)
    assert "10:00 Buenos Aires time" in script and "America/" not in script


# --- Handover at any stage (rule 13) and the history for the new rep (rule 10) ---


def test_the_first_call_after_a_handover_introduces_the_new_rep_whatever_its_play(
    renderer: ScriptRenderer,
) -> None:
    contact = distinctive_contact(status="lapsed", stage="keep_in_touch 2")
    for play in PLAYS:
        first = make_handover_call(contact, play, step=3, flags=("handover", "introduce"))
        later = make_handover_call(contact, play, step=3, flags=("handover",))
        assert "my name is Priya Nair" in renderer.render(first, None), play
        assert "my name is" not in renderer.render(later, None), play


def test_the_new_rep_reads_the_previous_reps_words_as_theirs(renderer: ScriptRenderer) -> None:
    kenji = make_contact(
        fault="personal",
        status="lapsed",
        incident="I promised a site visit in June and never came",
        root_cause="I double-booked the week",
        changes_made="I now confirm every visit in writing",
    )
    for play in ("clear_the_air", "apology", "keep_in_touch"):
        brief, said = split_brief(renderer.render(make_handover_call(kenji, play), None))
        assert 'Marcus Chen said: "I double-booked the week"' in brief, play
        for first_person in (kenji.incident, kenji.root_cause, kenji.changes_made):
            assert first_person and first_person not in said, (play, first_person)


def render_with(renderer: ScriptRenderer, call: Call, **variables: Any) -> str:
    """A script with the variables the promises, roles and escalation work adds."""
    from outreach.render.context import build_context

    context = build_context(call, None, CONFIG, call.play)
    brief = renderer.environment.get_template("brief.md.j2")
    full = build_context(call, None, CONFIG, "brief")
    context["brief"] = brief.render({**full, **variables})
    template = renderer.template_for(call.play, call.contact.reason)
    return template.render({**context, **variables})


def test_the_templates_show_promises_offers_and_escalation_when_given(
    renderer: ScriptRenderer,
) -> None:
    promise = {"text": "Credit of 10%", "due": date(2027, 3, 19)}
    follow_up = render_with(renderer, make_call(make_contact(), "follow_up"), promises=[promise])
    assert "- [ ] Credit of 10% (due Friday 19 March 2027)" in section(follow_up, 2)
    assert "Credit of 10%, by Friday 19 March 2027" in split_brief(follow_up)[0]
    small = make_call(make_contact(), "small_step", step=2)
    assert "**The offer:** Ten pallets." in render_with(renderer, small, offer="Ten pallets")
    assert "No offer agreed for this step" in render_with(renderer, small, offer=None)
    escalation = {"manager": "Ana Lima", "reason": "the account is escalated"}
    apology = render_with(renderer, make_call(make_contact()), escalation=escalation)
    assert "Ana Lima joins this call (the account is escalated)" in apology


def test_the_brief_knows_the_history_a_silent_plays_template_cannot_reach(tmp_path: Path) -> None:
    """Rule 10 and rule 8 together: the brief is rendered with the incident, and reaches a
    silent play only as finished text; naming the incident there still fails."""
    contact = distinctive_contact()
    renderer = user_renderer(
        tmp_path,
        {"brief.md.j2": "Known: {{ incident }}\n", "small_step.md.j2": "{{ brief }}Say hi\n"},
    )
    script = renderer.render(make_call(contact, "small_step"), None)
    assert script == f"Known: {INCIDENT}\nSay hi\n"
    (tmp_path / "small_step.md.j2").write_text("{{ brief }}{{ root_cause }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="'root_cause' is not available to small_step"):
        user_renderer(tmp_path, {}).render(make_call(contact, "small_step"), None)
