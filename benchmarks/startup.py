"""Start-up: the wait on small, frequent commands, against `python -c "import click"` timed in
the same run (issue 19). Each command runs in a fresh process, the commands taking turns, in
a folder holding the example contacts and settings (as `outreach init` leaves one); the
figures are medians.

    .venv/bin/python benchmarks/run.py --sections startup --startup-repeat 9
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = "import click"
COMMANDS = ("campaign", "check", "generate", "init", "log", "plan", "preview", "templates")
"""Every command, for its --help."""
MAX_RATIO = {"--help": 2.0, "check": 3.0, "preview": 4.0}
"""Issue 19's targets: times `import click` for any help, `check` and `preview` of the example."""


@dataclass
class Startup:
    case: str
    runs_ms: list[float] = field(default_factory=list)
    failed: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)


def cases(python: str, outreach: list[str], now: str) -> dict[str, list[str]]:
    """What is timed, by name: the reference first."""
    return {
        REFERENCE: [python, "-c", "import click"],
        "--help": [*outreach, "--help"],
        **{f"{name} --help": [*outreach, name, "--help"] for name in COMMANDS},
        "check": [*outreach, "check", "contacts.csv"],
        "preview": [*outreach, "preview", "contacts.csv", "--account", "A-1001", "--now", now],
    }


def measure_startup(
    python: str, outreach: list[str], now: str, folder: Path, repeat: int, env: dict[str, str]
) -> list[Startup]:
    """Each case `repeat` times in turn (after one untimed round, which compiles the bytecode)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "contacts.example.csv", folder / "contacts.csv")
    shutil.copy(REPO / "outreach.toml", folder / "outreach.toml")
    timed = cases(python, outreach, now)
    results = {name: Startup(name) for name in timed}
    for round_ in range(repeat + 1):
        for name, command in timed.items():
            began = time.perf_counter()
            done = subprocess.run(command, cwd=folder, capture_output=True, env=env, check=False)
            elapsed = 1000 * (time.perf_counter() - began)
            if done.returncode != 0:
                results[name].failed = f"exit {done.returncode}: {done.stderr[-200:]!r}"
            elif round_:
                results[name].runs_ms.append(elapsed)
    return list(results.values())


def startup_report(results: list[Startup]) -> tuple[list[str], list[tuple[str, str]]]:
    """The table's lines, and each target with its verdict."""
    reference = next(r for r in results if r.case == REFERENCE)
    lines = [f"{'start-up':<20} {'median ms':>10} {'× click':>8}  runs (ms)", "-" * 72]
    checks: list[tuple[str, str]] = []
    for result in results:
        if result.failed or not result.runs_ms:
            lines.append(f"{result.case:<20} failed: {result.failed}")
            checks.append((f"{result.case} start-up", "FAIL (the command failed)"))
            continue
        ratio = result.median_ms / reference.median_ms
        runs = " ".join(f"{ms:.0f}" for ms in result.runs_ms)
        lines.append(f"{result.case:<20} {result.median_ms:>10.0f} {ratio:>8.2f}  {runs}")
        limit = MAX_RATIO.get("--help" if result.case.endswith("--help") else result.case)
        if limit is not None:
            verdict = "PASS" if ratio <= limit else "FAIL"
            checks.append(
                (f"{result.case} ≤ {limit:.0f}× import click", f"{verdict} ({ratio:.2f}×)")
            )
    return lines, checks
