"""Writes docs/report.png and docs/day-sheet.png, the pictures the README shows, from the example.

Run it after changing the report or the day sheet: `.venv/bin/python docs/screenshots.py`
(needs Debian's chromium). The clock is pinned, so the same code gives the same pictures on
one machine; look at them before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.browser: the way the tests open pages in Chromium

from outreach.cli import cli  # noqa: E402
from tests.browser import CHROMIUM, screenshot  # noqa: E402

RUNS = {
    "campaign": ("--quarter", "2027Q1", "--now", "2026-12-20T00:00:00Z"),
    "generate": ("--start", "2027-03-08", "--now", "2027-03-01T12:00:00Z"),
}
"""The example's runs, at the clocks of its golden files."""
PICTURES = {
    "campaign/report.html": ("report.png", 1100, 1500),
    "generate/sheets/priya-nair/2027-03-08.html": ("day-sheet.png", 860, 1250),
}
"""File of a run → picture in docs/, and the window it is taken in (pixels). Priya Nair's day
has calls in three time zones, a handover among them."""


def main() -> None:
    if CHROMIUM is None:
        sys.exit("no chromium on the PATH: apt-get install --no-install-recommends chromium")
    with tempfile.TemporaryDirectory() as temporary:
        for command, clock in RUNS.items():
            out = Path(temporary) / command
            args = [command, str(ROOT / "contacts.example.csv"), *clock, "--out", str(out)]
            result = CliRunner().invoke(cli, [*args, "--config", str(ROOT / "outreach.toml"), "-q"])
            if result.exit_code != 0:
                sys.exit(f"{command} failed: {result.output}")
        for page, (picture, width, height) in PICTURES.items():
            screenshot(Path(temporary) / page, Path(__file__).with_name(picture), width, height)
            print(f"docs/{picture}")


if __name__ == "__main__":
    main()
