"""The example's files as a person receives them, byte for byte: one rep's calendar, one
invitation, plan.csv and skipped.csv from `generate`; accounts.next.csv and report.html from
`campaign`. The clock is pinned with --now (and --start), so the files only change when
outreach's output does.

Golden files live under tests/golden/example/, at their paths in the output folder. After a
deliberate change of output, regenerate them with `UPDATE_GOLDEN=1 pytest
tests/test_golden_outputs.py` and read each changed file before committing it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.factories import EXAMPLE, SETTINGS, invoke

GOLDEN = Path(__file__).parent / "golden" / "example"
EXAMPLE_ARGS = (str(EXAMPLE), "--config", str(SETTINGS), "--invites")

# Each command, the clock it runs at, and the files of its output folder that have golden copies.
RUNS = {
    "generate": ("--start", "2027-03-08", "--now", "2027-03-01T12:00:00+00:00"),
    "campaign": ("--quarter", "2027Q1", "--now", "2026-12-20T00:00:00+00:00"),
}
GOLDEN_FILES = [
    "generate/calendars/marcus-chen.ics",
    "generate/invites/priya-nair/send-2027-03-01/"
    "2027-03-08_sakura-foods-k-k_kenji-watanabe_clear_the_air.eml",
    "generate/plan.csv",
    "generate/skipped.csv",
    "generate/sheets/priya-nair/2027-03-08.html",
    "campaign/accounts.next.csv",
    "campaign/report.html",
]


def test_the_example_files_match_their_golden_copies(tmp_path: Path) -> None:
    for command, clock in RUNS.items():
        code, stdout, _ = invoke(command, *EXAMPLE_ARGS, "--out", str(tmp_path / command), *clock)
        assert code == 0, stdout
    if os.environ.get("UPDATE_GOLDEN"):
        for name in GOLDEN_FILES:
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes((tmp_path / name).read_bytes())
    differing = [
        name
        for name in GOLDEN_FILES
        if not (GOLDEN / name).is_file()
        or (GOLDEN / name).read_bytes() != (tmp_path / name).read_bytes()
    ]
    assert not differing, (
        f"not as their golden copies in {GOLDEN}: {', '.join(differing)}. If the change is "
        "intended, regenerate them with `UPDATE_GOLDEN=1 pytest tests/test_golden_outputs.py` "
        "and read each changed file (git diff) before committing it"
    )
