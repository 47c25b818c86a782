"""Docs that cannot drift: every command has help, an example and a section in the docs; every
command they show parses and every link resolves; what they show (the first run, the plan, the
settings, the sample script, the command reference) is what the tool does; the README's
commands are the ones CI and a new user run, and the README stays short."""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from docs.commands import PAGE, REGENERATE, reference
from outreach.cli import cli
from outreach.cli.group import COMMANDS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    path: path.read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
}


def prose_and_code(text: str) -> tuple[list[str], list[str]]:
    """The lines of a Markdown page outside fenced code blocks, and those inside them."""
    prose: list[str] = []
    code: list[str] = []
    fence = ""
    for line in text.splitlines():
        if fence and line.startswith(fence) and not line.strip("`"):
            fence = ""
        elif not fence and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        else:
            (code if fence else prose).append(line)
    return prose, code


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    headings = (
        line.lstrip("#").strip() for line in prose_and_code(text)[0] if line.startswith("#")
    )
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def shown_commands() -> list[Any]:
    """Every `outreach …` command in a code block of the README and docs/: (page, arguments)."""
    shown = []
    for path, text in DOCS.items():
        for line in prose_and_code(text)[1]:
            for part in line.split("&&"):
                if part.split()[:1] in (["outreach"], [".venv/bin/outreach"]):
                    words = shlex.split(part, comments=True)
                    end = next((i for i, word in enumerate(words) if word in (">", "|")), None)
                    page = path.relative_to(ROOT).as_posix()
                    shown.append(pytest.param(page, words[1:end], id=f"{page}: {part.strip()}"))
    return shown


EXAMPLE_CLOCK = {"SOURCE_DATE_EPOCH": "1803859200"}
"""2027-03-01, the run's clock for the docs' examples, which plan from 2027-03-08 on: after that
day the real clock would move their calls."""


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The example accounts and settings in the folder the test runs in."""
    for name in ("contacts.example.csv", "outreach.toml"):
        shutil.copy(ROOT / name, tmp_path)
    return tmp_path


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def command_named(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, name
    return command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_an_example_and_a_section_in_the_docs(name: str) -> None:
    command = command_named(name)
    assert command.help and command.get_short_help_str(), name
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout
    assert any(
        re.search(rf"^#+ `outreach {name}\b", text, re.MULTILINE) for text in DOCS.values()
    ), f"neither README.md nor docs/ has a section for {name}"
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"{name} {option.opts[0]} has no help"


def test_the_readme_stays_short() -> None:
    size = len(README.encode("utf-8"))
    assert size <= 10_240, (
        f"README.md is {size:,} bytes, over 10 KB: put reference material in docs/ and link it"
    )


@pytest.mark.parametrize(("page", "args"), shown_commands())
def test_every_command_shown_in_the_docs_parses(page: str, args: list[str]) -> None:
    """Options, their values and the arguments; the files named need not exist."""
    shown = f"{page}: outreach {shlex.join(args)}"
    name, *rest = args
    assert name in COMMANDS, f"{shown}: no such command"
    command = command_named(name)
    # under the group's context, as when run: click keeps the help option a command first gets
    group = click.Context(cli, info_name="outreach", **cli.context_settings)
    ctx = click.Context(command, info_name=name, parent=group)
    try:
        values, extra, _ = command.make_parser(ctx).parse_args(rest)
        for param in command.params:
            value = values.get(param.name or "")
            assert value is not None or not param.required, f"{shown}: {param.name} missing"
            if value is not None and not isinstance(param.type, click.Path):
                param.type_cast_value(ctx, value)
    except click.UsageError as error:
        pytest.fail(f"{shown}: {error.format_message()}")
    assert not extra, f"{shown}: unexpected {extra}"


@pytest.mark.parametrize("page", sorted(DOCS), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_link_between_the_pages_resolves(page: Path) -> None:
    prose = "\n".join(prose_and_code(DOCS[page])[0])
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: {target} names no file"
        if anchor:
            text = DOCS.get(linked) or linked.read_text(encoding="utf-8")
            assert anchor in anchors(text), f"{page.name}: {target} names no heading"


def test_the_readme_test_command_is_what_ci_runs() -> None:
    install_and_run, test = quickstart_commands()
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == test
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")


def test_the_quickstart_main_job_works_on_a_copy_of_the_example(example: Path) -> None:
    install_and_run, _ = quickstart_commands()
    job = shlex.split(install_and_run.rsplit("&& ", 1)[1])
    assert job[0] == ".venv/bin/outreach"
    result = CliRunner().invoke(cli, job[1:])
    assert result.exit_code == 0, result.output
    out = example / "out"
    assert list((out / "scripts").rglob("*.md")) and list((out / "calendars").glob("*.ics"))
    assert list((out / "invites").rglob("*.eml"))
    assert "Import each rep's calendar" in result.stdout


@pytest.mark.usefixtures("example")
def test_the_first_run_prints_what_the_readme_shows() -> None:
    section = README.split("## A first run", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\.venv/bin/outreach (.+)$", section, re.MULTILINE)
    assert [command.split()[0] for command in commands] == ["check", "plan", "preview", "generate"]
    for command in commands:
        result = CliRunner().invoke(cli, shlex.split(command), env=EXAMPLE_CLOCK)
        assert result.exit_code == 0, f"{command}: {result.output}"
    shown = re.search(r"```text\n(.*?)\n```", section, re.DOTALL)
    assert shown, "the README shows what the first run's generate prints"
    assert result.stdout.rstrip("\n") == shown[1]


def test_the_readme_lists_the_exit_statuses_the_help_does() -> None:
    table = README.split("## Exit statuses", 1)[1].split("\n## ", 1)[0]
    help_text = CliRunner().invoke(cli, ["--help"]).stdout.split("Exit status:", 1)[1]
    assert re.findall(r"^\| (\d+) \|", table, re.MULTILINE) == re.findall(
        r"^ +(\d+) ", help_text.split("\n\n", 1)[0], re.MULTILINE
    )


@pytest.mark.usefixtures("example")
def test_the_plan_shown_in_the_docs_is_the_examples() -> None:
    planning = DOCS[ROOT / "docs/planning.md"]
    command = re.search(r"^outreach (plan contacts\.example\.csv [^>\n]+)$", planning, re.MULTILINE)
    shown = re.search(r"```text\n(rep .*?)\n```", planning, re.DOTALL)
    assert command and shown
    result = CliRunner().invoke(cli, shlex.split(command[1]), env=EXAMPLE_CLOCK)
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    assert [line.rstrip() for line in shown[1].splitlines()] == [
        line
        for line in printed
        if line.startswith("rep ") or re.search(r" (apology|clear_the_air) ", line)
    ]


def test_the_settings_page_shows_every_setting_and_only_those() -> None:
    import tomllib
    from dataclasses import fields

    from outreach.config import parse_config
    from outreach.model.settings import Config

    page = DOCS[ROOT / "docs/configuration.md"]
    block = re.search(r"```toml\n(.*?)\n```", page, re.DOTALL)
    assert block
    shown = tomllib.loads(block[1])
    parse_config(shown, "docs/configuration.md")  # every value shown is valid too
    defaults = Config()
    sections = ("input", "schedule", "plays", "drop", "calendar", "invites")
    assert set(shown) == {*sections, "reps", "columns", "outcomes"}
    for section in sections:
        assert set(shown[section]) == {f.name for f in fields(getattr(defaults, section))}, section
    rep_keys = {f.name for f in fields(defaults.rep("anyone"))} - {"name"}
    assert all(set(rep) == rep_keys for rep in shown["reps"].values())


def test_init_then_generate_without_editing_anything(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "team"])
    assert result.exit_code == 0 and "outreach generate contacts.csv" in result.stdout
    team = tmp_path / "team"
    assert {p.name for p in team.iterdir()} == {"outreach.toml", "templates", "contacts.csv"}
    again = runner.invoke(cli, ["init", "team"])
    assert "kept team/outreach.toml (already there)" in again.stdout
    result = runner.invoke(cli, ["generate", str(team / "contacts.csv"), "--out", str(tmp_path / "out"),
                                 "--config", str(team / "outreach.toml"), "--templates", str(team / "templates")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Import each rep's calendar" in result.stdout


def test_the_starter_settings_list_every_key_with_its_default() -> None:
    import tomllib

    from outreach.config import parse_config
    from outreach.model.settings import Config

    starter = tomllib.loads((ROOT / "outreach/starter.toml").read_text(encoding="utf-8"))
    read = parse_config(starter, "starter")
    assert replace(read, reps={}) == Config(source="starter")
    assert set(read.reps) == {
        "Marcus Chen",
        "Priya Nair",
        "Sofia Alvarez",
        "Tom Becker",
    }  # the example's
    from dataclasses import fields

    defaults = Config()
    for section in ("input", "schedule", "plays", "drop", "calendar", "invites"):
        assert set(starter[section]) == {f.name for f in fields(getattr(defaults, section))}, (
            section
        )


def test_templates_lists_every_play_and_marks_the_hidden_fields() -> None:
    result = CliRunner().invoke(cli, ["templates"])
    assert result.exit_code == 0
    for play in (
        "apology",
        "follow_up",
        "small_step",
        "substantial_offer",
        "clear_the_air",
        "keep_in_touch",
    ):
        assert f"{play}: {play}.md.j2 (built-in)" in result.stdout
    assert "not given: incident, incident_date, root_cause" in result.stdout


@pytest.mark.slow
def test_no_color_and_no_progress_when_piped(tmp_path: Path) -> None:
    from tests.factories import row, write_csv

    rows = [row(contact_name=f"C{i}") for i in range(400)] + [
        row(contact_name="L", status="lapsed")
    ]
    path = write_csv(tmp_path / "c.csv", rows)
    args = ["generate", str(path), "--out", "out", "--now", "2027-01-01", "--invites", "--force"]
    coloured = CliRunner().invoke(cli, args, color=True)
    assert "\x1b[33mWarning: no invitations" in coloured.stderr  # yellow where colour is allowed
    result = CliRunner().invoke(cli, args, env={"NO_COLOR": "1"}, color=True)
    assert result.exit_code == 0
    assert "Warning: no invitations" in result.stderr and "\x1b[" not in result.output
    assert "Writing calls" not in result.output
    quiet = CliRunner().invoke(
        cli, ["generate", str(path), "--out", "out", "--now", "2027-01-01", "--quiet"]
    )
    assert quiet.exit_code == 0 and quiet.stdout == ""


@pytest.mark.usefixtures("example")
def test_the_sample_script_is_what_the_tool_writes() -> None:
    templates = DOCS[ROOT / "docs/templates.md"]
    command = re.search(r"`outreach (preview [^`]+)`\nprints it", templates)
    assert command, "docs/templates.md names the command its sample comes from"
    result = CliRunner().invoke(cli, shlex.split(command[1]), env=EXAMPLE_CLOCK)
    sample = re.search(r"````markdown\n(.*?)\n````", templates, re.DOTALL)
    assert result.exit_code == 0 and sample
    assert result.stdout.rstrip("\n") == sample[1]


def test_the_command_reference_is_what_the_help_says() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference(), (
        f"docs/commands.md is stale: run `{REGENERATE}` and commit it"
    )
