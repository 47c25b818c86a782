"""Docs that cannot drift: every command has help, an example and a README section; the
README's commands are the ones CI and a new user run."""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import replace
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from outreach.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_an_example_and_a_readme_section(name: str) -> None:
    command = cli.commands[name]
    assert command.help and command.get_short_help_str(), name
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout
    assert re.search(rf"^### `outreach {name}\b", README, re.MULTILINE), (
        f"README has no section for {name}"
    )
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"{name} {option.opts[0]} has no help"


def test_the_readme_test_command_is_what_ci_runs() -> None:
    install_and_run, test = quickstart_commands()
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == test
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")


def test_the_quickstart_main_job_works_on_a_copy_of_the_example(tmp_path: Path) -> None:
    install_and_run, _ = quickstart_commands()
    job = shlex.split(install_and_run.rsplit("&& ", 1)[1])
    assert job[0] == ".venv/bin/outreach"
    shutil.copy(ROOT / "contacts.example.csv", tmp_path)
    shutil.copy(ROOT / "outreach.toml", tmp_path)
    result = CliRunner().invoke(cli, job[1:])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert list((out / "scripts").rglob("*.md")) and list((out / "calendars").glob("*.ics"))
    assert list((out / "invites").rglob("*.eml"))
    assert "Import each rep's calendar" in result.stdout


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


def test_the_readme_sample_script_is_what_the_tool_writes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "contacts.example.csv", tmp_path)
    shutil.copy(ROOT / "outreach.toml", tmp_path)
    command = re.search(r"`outreach (preview [^`]+)`\nprints it", README)
    assert command, "the README names the command its sample comes from"
    result = CliRunner().invoke(cli, shlex.split(command[1]))
    sample = re.search(r"````markdown\n(.*?)\n````", README, re.DOTALL)
    assert result.exit_code == 0 and sample
    assert result.stdout.rstrip("\n") == sample[1]
