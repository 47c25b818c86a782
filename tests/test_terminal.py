"""Every command in a real terminal, and piped (issue 13, point 1).

Each command runs as a person types it, `python -m outreach …` under a pseudo-terminal, so
that progress bars, colours and every isatty branch run; then the same command with its
output piped. Under the terminal: no traceback, the expected exit status, progress on long
work and a summary at the end. Piped: the same status, and no escape sequence and no bar.
Clocks are fixed (`--now`, `--start`), so the runs are deterministic."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.factories import invoke, row, write_csv
from tests.terminal import ROOT, Run, command, environment, in_terminal, piped

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"
ROWS = 400
"""Enough rows, and calls, for the progress bars to appear (from 300)."""
BARS = ("Checking rows", "Writing calls")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    """`{mode}` is replaced by `terminal` or `piped`, so that each run has its own folder."""
    status: int = 0
    shows: tuple[str, ...] = ()
    """Text on the screen at the end, in this order."""
    bar: str | None = None
    """A progress bar the terminal shows (at its last state), absent when piped."""
    slow: bool = False
    after: tuple[str, ...] = field(default=())
    """Text that must come after the bar: the summary."""
    earlier: bool = False
    """Runs on the output of an earlier run (see the `earlier` fixture)."""


HELP = [Case(f"help {name}", (name, "--help"), shows=("Usage: outreach " + name, "Example:"))
        for name in ("check", "plan", "generate", "preview", "campaign", "init", "templates", "log")]  # fmt: skip

CASES = [
    Case("help", ("--help",), shows=("Usage: outreach", "Exit status:", "70", "130", "Commands:")),
    *HELP,
    Case("check example", ("check", "example.csv"),
         shows=("example.csv: 14 rows: 13 upset or lapsed, 1 suppressed",)),
    Case("check big", ("check", "big.csv"), bar="Checking rows  400",
         after=(f"big.csv: {ROWS} rows:",)),
    Case("check json", ("check", "big.csv", "--format", "json"), shows=('"rows": 400',), slow=True),
    Case("check quiet", ("check", "big.csv", "-q"), slow=True),
    Case("check rejected", ("check", "bad.csv"), status=1,
         shows=("bad.csv:2: status: unknown status 'angry'", "1 rejected.")),
    Case("plan table", ("plan", "example.csv", "--start", START),
         shows=("rep ", "rep's time", "Dana Ruiz")),
    Case("plan csv", ("plan", "example.csv", "--start", START, "--format", "csv"),
         shows=("id,owner,account_id,company",), slow=True),
    Case("plan json", ("plan", "example.csv", "--start", START, "--format", "json"),
         shows=('"start": "2027-03-08"', '"calls": ['), slow=True),
    Case("plan big jobs", ("plan", "big.csv", "--start", START, "--format", "csv", "--jobs", "2"),
         shows=("id,owner",)),
    Case("generate", ("generate", "big.csv", "--out", "{mode}-out", "--now", NOW),
         bar="Writing calls  [####", after=("Wrote ", " calls for 4 reps into ", "Import each rep's calendar"),
         slow=True),
    Case("generate invites", ("generate", "example.csv", "--out", "{mode}-invites", "--now", NOW, "--invites"),
         shows=("Wrote 55 calls for 4 reps", "drafts:", "invitations"), slow=True),
    Case("generate previous force", ("generate", "big.csv", "--out", "first", "--now", NOW,
                                     "--previous", "first", "--force"),
         bar="Writing calls  [####", after=("Wrote ",), slow=True, earlier=True),
    Case("generate force", ("generate", "example.csv", "--out", "{mode}-beside", "--now", NOW, "--force"),
         shows=("Wrote 55 calls",)),
    Case("generate quiet", ("generate", "example.csv", "--out", "{mode}-quiet", "--now", NOW, "-q"), slow=True),
    Case("preview", ("preview", "example.csv", "--account", "A-1001", "--play", "apology", "--start", START),
         shows=("# Apology call: Dana Ruiz, Northwind Traders", "# Apology call: Omar Haddad")),
    Case("preview no call", ("preview", "example.csv", "--account", "A-1008", "--start", START),
         status=1, shows=("Error: account 'A-1008' got no call: line 12 (Ben Tran): dropped",)),
    Case("preview no account", ("preview", "example.csv", "--account", "A-9", "--start", START),
         status=1, shows=("Error: no account 'A-9' in example.csv",), slow=True),
    Case("campaign", ("campaign", "big.csv", "--quarter", "2027Q2", "--out", "{mode}-q2", "--now", NOW),
         bar="Writing calls  ", after=("Campaign 2027Q2", "total", "Wrote ", "Report: "), slow=True),
    Case("campaign next quarter", ("campaign", "q2/accounts.next.csv", "--quarter", "2027Q3",
                                   "--out", "{mode}-q3", "--now", "2027-06-15T12:00:00+00:00"),
         bar="Writing calls  ", after=("Campaign 2027Q3", "Wrote ", "Report: "), slow=True, earlier=True),
    Case("campaign past", ("campaign", "example.csv", "--quarter", "2026Q4", "--out", "{mode}-past",
                           "--now", NOW), status=2,
         shows=("Error: the window 2026-10-01..2026-12-31 is over",)),
    Case("templates", ("templates",), shows=("apology: apology.md.j2 (built-in)", "keep_in_touch"), slow=True),
    Case("init", ("init", "{mode}-team"),
         shows=("wrote ", "-team/outreach.toml", "Next:", "outreach check contacts.csv")),
]  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with its settings, a larger synthetic export, a file with a bad row, and
    the outputs that the runs on earlier outputs start from."""
    here = tmp_path_factory.mktemp("terminal")
    shutil.copy(ROOT / "contacts.example.csv", here / "example.csv")
    shutil.copy(ROOT / "outreach.toml", here / "outreach.toml")
    made = subprocess.run([sys.executable, str(ROOT / "benchmarks/synthetic.py"), str(ROWS),
                           "--out", str(here / "big.csv"), "--seed", "8"], capture_output=True, timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    lines = (here / "example.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (here / "bad.csv").write_text(
        lines[0] + lines[1].replace(",upset,", ",angry,"), encoding="utf-8"
    )
    return here


@pytest.fixture(scope="module")
def earlier(folder: Path) -> None:
    """The outputs that runs on an earlier run's output start from."""
    for args in (("generate", "big.csv", "--out", "first", "--now", NOW, "-q"),
                 ("campaign", "big.csv", "--quarter", "2027Q2", "--out", "q2", "--now", NOW, "-q")):  # fmt: skip
        done = piped(command(*args), folder, environment(folder))
        assert done.returncode == 0, done.stderr


def _args(case: Case, mode: str) -> list[str]:
    return command(*(arg.replace("{mode}", mode) for arg in case.args))


def _params(cases: list[Case], slow: bool = False) -> list[object]:
    return [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if slow or c.slow else [])
            for c in cases]  # fmt: skip


def _in_order(text: str, parts: tuple[str, ...]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing (in order) from:\n{text[-3000:]}"
        at = found + len(part)


@pytest.mark.parametrize("case", _params(CASES))
def test_in_a_terminal(case: Case, folder: Path, request: pytest.FixtureRequest) -> None:
    if case.earlier:
        request.getfixturevalue("earlier")
    run = in_terminal(_args(case, "terminal"), folder, environment(folder))
    assert not run.traceback, run.raw
    assert run.status == case.status, run.screen
    _in_order(run.screen, case.shows)
    if case.bar:
        _in_order(run.screen, (case.bar, *case.after))
    else:
        assert not any(bar in run.screen for bar in BARS), run.screen
    if "-q" in case.args:
        assert run.screen.strip() == "", run.screen
    _no_stray_control(run)


def _no_stray_control(run: Run) -> None:
    """The bar hides the cursor while it runs: it must show it again."""
    assert run.raw.rfind("\x1b[?25l") <= run.raw.rfind("\x1b[?25h"), "the cursor stays hidden"


# The in-process command tests run piped too; these runs check the real pipe, in CI.
@pytest.mark.parametrize("case", _params(CASES, slow=True))
def test_piped(case: Case, folder: Path, request: pytest.FixtureRequest) -> None:
    if case.earlier:
        request.getfixturevalue("earlier")
    done = piped(_args(case, "piped"), folder, environment(folder))
    both = done.stdout + done.stderr
    assert "Traceback" not in both, both
    assert done.returncode == case.status, both
    _in_order(both, case.shows)
    assert "\x1b" not in both and "\r" not in both
    assert not any(bar in both for bar in BARS)
    if case.after:
        _in_order(both, case.after)
    if case.args[:3] == ("check", "big.csv", "--format"):
        assert json.loads(done.stdout)["rows"] == ROWS


@pytest.mark.slow
def test_warnings_are_coloured_in_a_terminal_only(folder: Path) -> None:
    """Without settings the example's reps get a warning: yellow on a terminal, unless
    NO_COLOR is set; nothing at all with -q."""
    (folder / "none.toml").write_text("", encoding="utf-8")
    args = command("plan", "example.csv", "--start", START, "--config", "none.toml")
    run = in_terminal(args, folder, environment(folder))
    assert run.status == 0 and "\x1b[33mWarning: no settings for" in run.raw
    no_color = in_terminal(args, folder, {**environment(folder), "NO_COLOR": "1"})
    assert "Warning: no settings for" in no_color.raw and "\x1b[33m" not in no_color.raw
    quiet = in_terminal(command("generate", "example.csv", "--out", "warned", "--now", NOW,
                                "--config", "none.toml", "-q"), folder, environment(folder))  # fmt: skip
    assert quiet.status == 0 and quiet.raw == ""


# -- what the runs say, in-process -------------------------------------------------------


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row(status="lapsed", last_contact="2026-06-01")])
    settings = tmp_path / "s.toml"
    settings.write_text('[reps."Sam Rep"]\nemail = "sam@example.com"\n\n[plays]\nkeep_in_touch_count = 0\n',
                        encoding="utf-8")  # fmt: skip
    code, out, _ = invoke("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW,
                          "--config", str(settings), "--invites")  # fmt: skip
    assert code == 0
    assert f"Wrote 1 call for 1 rep into {tmp_path / 'out'}" in out
    assert "drafts:    1 invitation in" in out
    code, out, _ = invoke("check", str(contacts))
    assert f"{contacts}: 1 row: " in out


def test_quiet_prints_errors_only(tmp_path: Path) -> None:
    """No warning (the rep has no settings), no dropped row, no summary: the rejected row."""
    contacts = write_csv(tmp_path / "c.csv", [row(), row(contact_name="B", status="angry"),
                                              row(contact_name="C", phone="")])  # fmt: skip
    code, out, err = invoke(
        "generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW, "-q"
    )
    assert code == 1 and out == ""
    assert err.splitlines() == [f"rejected: {contacts}:3: status: unknown status 'angry'; "
                                "expected one of upset, lapsed, resolved, won_back, do_not_call"]  # fmt: skip
    code, out, err = invoke("check", str(contacts), "-q")
    assert code == 1 and len(out.splitlines()) == 1 and "angry" in out and err == ""


def test_a_window_already_over_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [row()])
    code, out, err = invoke("campaign", str(contacts), "--quarter", "2027Q1", "--out",
                            str(tmp_path / "q1"), "--now", "2027-04-01T09:00:00+00:00")  # fmt: skip
    assert code == 2 and out == ""
    assert err == ("Error: the window 2027-01-01..2027-03-31 is over: the first day a call can be "
                   "planned is 2027-04-02 (the run's clock: 2027-04-01T09:00+00:00); choose a "
                   "later window, or --now for another clock\n")  # fmt: skip
    assert not (tmp_path / "q1").exists()


def test_preview_says_why_an_account_has_no_script(tmp_path: Path) -> None:
    contacts = write_csv(tmp_path / "c.csv", [
        row(), row(contact_name="Low", account_id="A-2", company="Small", account_value="500",
                   status="lapsed"),
        row(contact_name="Done", account_id="A-3", company="Fine", status="resolved"),
        row(contact_name="Gone", account_id="A-4", company="Odd", status="angry"),
    ])  # fmt: skip
    cases = {
        ("A-2",): "account 'A-2' got no call: line 3 (Low): dropped: the account is worth USD 500, less than drop.min_account_value (1,000)",
        ("a-3",): "account 'a-3' got no call: line 4 (Done): suppressed: status resolved",
        ("A-4",): "account 'A-4' got no call: line 5 (Gone): rejected: unknown status 'angry'",
        ("A-9",): f"no account 'A-9' in {contacts}",
        ("A-1", "--play", "keep_in_touch"): "account 'A-1' has no planned call for play "
        "keep_in_touch; its calls: Dana Ruiz (apology, follow_up, small_step, substantial_offer)",
    }  # fmt: skip
    for args, reason in cases.items():
        code, out, err = invoke("preview", str(contacts), "--start", START, "--account", *args)
        assert code == 1 and out == "", args
        assert err.startswith(f"Error: {reason}"), err
