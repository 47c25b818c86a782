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

import pytest

from tests.factories import invoke

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "example"
EXAMPLE, SETTINGS = ROOT / "contacts.example.csv", ROOT / "outreach.toml"

GENERATED = [
    "calendars/marcus-chen.ics",
    "invites/priya-nair/send-2027-03-01/2027-03-08_sakura-foods-k-k_kenji-watanabe_clear_the_air.eml",
    "plan.csv",
    "skipped.csv",
]
CAMPAIGNED = ["accounts.next.csv", "report.html"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example run once through `generate` (into generate/) and `campaign` (into campaign/)."""
    out = tmp_path_factory.mktemp("example")
    common = (str(EXAMPLE), "--config", str(SETTINGS), "--invites")
    code, stdout, _ = invoke("generate", *common, "--out", str(out / "generate"),
                             "--start", "2027-03-08", "--now", "2027-03-01T12:00:00+00:00")  # fmt: skip
    assert code == 0, stdout
    code, stdout, _ = invoke("campaign", *common, "--out", str(out / "campaign"),
                             "--quarter", "2027Q1", "--now", "2026-12-20T00:00:00+00:00")  # fmt: skip
    assert code == 0, stdout
    return out


@pytest.mark.parametrize(
    "name", [f"generate/{n}" for n in GENERATED] + [f"campaign/{n}" for n in CAMPAIGNED]
)
def test_the_example_files_match_their_golden_copies(outputs: Path, name: str) -> None:
    written, golden = (outputs / name).read_bytes(), GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(written)
    assert golden.is_file(), f"no golden copy of {name}: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert written == golden.read_bytes(), (
        f"{name} differs from {golden}; if the change is intended, regenerate with "
        f"UPDATE_GOLDEN=1 pytest {__file__} and read the new file"
    )
