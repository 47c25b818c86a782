"""Quick to start: the help of the group and of every command loads no heavy library, and
the group's list of commands says what each command's own help says."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from outreach.cli import cli
from outreach.cli.group import COMMANDS

HEAVY = ("icalendar", "jinja2", "holidays", "phonenumbers", "dateutil", "importlib.metadata")

# Runs in a fresh interpreter: `outreach --help`, then each `outreach COMMAND --help`, then
# prints which heavy modules got imported.
_HELPS = """
import json, sys
from outreach.cli import cli
from outreach.cli.group import COMMANDS
for args in [[], *([name] for name in COMMANDS)]:
    try:
        cli.main([*args, "--help"], prog_name="outreach")
    except SystemExit as done:
        assert done.code == 0, args
print(json.dumps(sorted(name for name in sys.modules if name in HEAVY)), file=sys.stderr)
"""


def test_no_help_imports_a_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{_HELPS}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stderr.splitlines()[-1]) == []
    for name in COMMANDS:  # every command was listed, and its own help shown
        assert f"Usage: outreach {name} " in done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_short_help_is_the_commands_own(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=1000)
