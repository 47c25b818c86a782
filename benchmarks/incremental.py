"""Reruns: `generate --previous DIR --out DIR --force` into the folder of the run before, on
the same file and on the file with 1% of its contacts changed, against a fresh run into an
empty folder (issue 19). Each round starts from a fresh run, then reruns unchanged, then
reruns on the changed file; the figures are medians of the rounds.

    .venv/bin/python benchmarks/run.py --sections incremental --incremental-size 3000
"""

from __future__ import annotations

import csv
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import synthetic

MAX_RATIO = {"unchanged": 0.35, "1% changed": 0.4}
"""Issue 19's targets: a rerun's wall time against a fresh run's."""
STEPS = ("fresh", "unchanged", "1% changed")


@dataclass
class Rerun:
    step: str
    runs_wall_s: list[float] = field(default_factory=list)
    runs_cpu_s: list[float] = field(default_factory=list)
    failed: str = ""

    @property
    def wall_s(self) -> float:
        return statistics.median(self.runs_wall_s)

    @property
    def cpu_s(self) -> float:
        return statistics.median(self.runs_cpu_s)


def changed_copy(contacts: Path, target: Path, every: int = 100) -> int:
    """`contacts` with the title of every `every`-th contact changed, in place (no row moves);
    how many rows changed."""
    with contacts.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    for row in rows[::every]:
        row["contact_title"] = f"{row.get('contact_title') or 'Buyer'} (acting)"
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows[::every])


def measure_incremental(
    generate: Callable[[Path, Path], list[str]],
    folder: Path,
    size: int,
    seed: int,
    repeat: int,
    env: dict[str, str],
) -> list[Rerun]:
    """`generate(contacts, out)` is the command of a fresh run; a rerun adds --previous."""
    folder.mkdir(parents=True, exist_ok=True)
    contacts = folder / "contacts.csv"
    synthetic.write_file(contacts, size, seed)
    changed = folder / "contacts-changed.csv"
    changed_copy(contacts, changed)
    out = folder / "out"
    results = {step: Rerun(step) for step in STEPS}
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        for step, source in zip(STEPS, (contacts, contacts, changed), strict=True):
            rerun = ["--previous", str(out), "--force"] if step != "fresh" else []
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            done = subprocess.run(
                [*generate(source, out), *rerun, "--quiet"],
                cwd=folder,
                capture_output=True,
                env=env,
                check=False,
            )
            wall = time.perf_counter() - began
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                results[step].failed = f"exit {done.returncode}: {done.stderr[-200:]!r}"
                continue
            results[step].runs_wall_s.append(wall)
            results[step].runs_cpu_s.append(
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            )
    return list(results.values())


def incremental_report(results: list[Rerun], size: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The table's lines, and each target with its verdict."""
    fresh = results[0]
    lines = [
        f"{f'rerun, {size:,} contacts':<24} {'wall s':>7} {'cpu s':>7} {'× fresh':>8}  runs (wall s)",
        "-" * 72,
    ]
    checks: list[tuple[str, str]] = []
    for result in results:
        if result.failed or not result.runs_wall_s:
            lines.append(f"{result.step:<24} failed: {result.failed}")
            checks.append((f"rerun {result.step}", "FAIL (the command failed)"))
            continue
        ratio = result.wall_s / fresh.wall_s if fresh.runs_wall_s else float("nan")
        runs = " ".join(f"{wall:.2f}" for wall in result.runs_wall_s)
        lines.append(
            f"{result.step:<24} {result.wall_s:>7.2f} {result.cpu_s:>7.2f} {ratio:>8.2f}  {runs}"
        )
        limit = MAX_RATIO.get(result.step)
        if limit is not None:
            verdict = "PASS" if ratio <= limit else "FAIL"
            checks.append(
                (
                    f"rerun {result.step} ≤ {limit}× a fresh run, {size:,} contacts",
                    f"{verdict} ({ratio:.2f}×)",
                )
            )
    return lines, checks
