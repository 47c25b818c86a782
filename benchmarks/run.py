"""Speed and memory of `outreach` against a bare loop, on synthetic exports of several sizes.

    .venv/bin/python benchmarks/run.py                          # 1,000 and 10,000 contacts
    .venv/bin/python benchmarks/run.py --sizes 1000,10000,100000 --repeat 3 --json bench.json

For each size a synthetic contacts file (benchmarks/synthetic.py) is written to a temporary
folder outside the repository, then each command runs --repeat times in a fresh child
process, the commands taking turns so that the machine's noise spreads evenly:

- `generate`: `outreach generate FILE --out FRESH --start 2027-03-08 --now ...`, with every
  feature on (`--invites` when the command offers it);
- `bare`: the loop of issue 7, in this file: csv.DictReader, one compiled ~40-line Jinja2
  template rendered per row and written to its own file, one hand-serialized VEVENT per row
  (RFC 5545 escaping, 75-octet folding) appended to a single .ics;
- `plan`: `outreach plan FILE --start 2027-03-08 --format csv > /dev/null`;
- `check`: `outreach check FILE > /dev/null`: reading and validating only (issue 15's memory
  bound: a million rows under 200 MB);
- `mailmerge`: mailmerge's dry run over the same rows, when mailmerge is installed.

Each run goes through an intermediate process (`run.py _measure`) that starts the command,
waits for it and reports the wall time and its own RUSAGE_CHILDREN: the peak RSS is that
one command's, not the largest of everything this script has started. Figures are medians.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import synthetic
from incremental import Rerun, incremental_report, measure_incremental
from startup import Startup, measure_startup, startup_report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
START = "2027-03-08"
NOW = "2027-03-01T00:00:00Z"
COMMANDS = ("bare", "generate", "plan", "check", "mailmerge")
SECTIONS = ("startup", "throughput", "incremental")
DEFAULT_SIZES = "1000,10000"

# Targets of issue 7, checked when the figures they need were measured.
MAX_RATIO_TO_BARE = 1.5
MAX_GROWTH = 11.0
MAX_RSS_MIB_100K = 400.0
MAX_PLAN_SECONDS_100K = 10.0
GROWTH_LABELS = {
    "time": "time",
    "memory": "peak memory (largest process)",
    "tree_memory": "peak memory (all processes)",
}


# --------------------------------------------------------------------------------------------
# The bare loop (runs in its own child process: `run.py _bare CONTACTS.csv OUT_DIR`)

BARE_TEMPLATE = """\
# {{ title }} — {{ row.contact_name }}, {{ row.company }}

**Rep:** {{ row.owner }}{% if row.handoff_to %} (taking over from {{ row.handoff_to }}){% endif %}
**Contact:** {{ row.contact_name }}{% if row.contact_title %}, {{ row.contact_title }}{% endif %}
**Phone:** {{ row.phone or "no number on file" }}
**Their time zone:** {{ row.timezone or "America/New_York" }}
{% if row.account_value %}**Account value:** {{ row.account_value }}
{% endif %}
## Before you dial

- Have the account history open and a pen ready.
- You are calling to listen first, not to sell.
{% if row.notes %}- Note from the CRM: {{ row.notes }}
{% endif %}
## Opening

"Hello {{ row.contact_name.split()[0] }}, this is {{ row.owner.split()[0] }} from our team.
{% if row.fault == "personal" %}I let you down, and I am calling to apologise for it.
{% else %}We let you down, and I am calling to apologise on behalf of all of us.
{% endif %}Do you have a few minutes?"

## What happened

{% if row.incident %}- {{ row.incident }}{% if row.incident_date %} ({{ row.incident_date }}){% endif %}
{% endif %}{% if row.root_cause %}- Why: {{ row.root_cause }}
{% endif %}{% if row.changes_made %}- What changed: {{ row.changes_made }}
{% endif %}
## What we can offer

{% for option in options %}{{ loop.index }}. {{ option }}
{% else %}Ask what would make it right, and write it down.
{% endfor %}
{% if row.low_risk_offer %}If the conversation goes well, propose: {{ row.low_risk_offer }}.
{% endif %}
## Closing

- Repeat back what you agreed, and when you will call again.
- Thank them for their time{% if row.status == "lapsed" %}, whatever they decide{% endif %}.
"""

_TEXT_SPECIAL = re.compile(r"[\\;,\n]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9]+")
FOLD = 75


def ics_text(value: str) -> str:
    """A TEXT value, escaped as RFC 5545 3.3.11 says."""
    if not _TEXT_SPECIAL.search(value):
        return value
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_line(line: str) -> bytes:
    """One content line, CRLF-ended and folded at 75 octets without splitting a character
    or an escape sequence."""
    data = line.encode()
    if len(data) <= FOLD:
        return data + b"\r\n"
    pieces = []
    start, limit = 0, FOLD
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # inside a UTF-8 character
            end -= 1
        backslashes = 0
        while data[end - 1 - backslashes] == 0x5C:
            backslashes += 1
        if backslashes % 2:  # the cut would split `\,` and its kind
            end -= 1
        pieces.append(data[start:end])
        start, limit = end, FOLD - 1  # continuation lines start with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


def bare_loop(contacts: Path, out: Path) -> int:
    """The reference loop of issue 7; returns the rows it handled."""
    from jinja2 import Environment, StrictUndefined  # imported here: part of the child's cost

    template = Environment(undefined=StrictUndefined, keep_trailing_newline=True).from_string(
        BARE_TEMPLATE
    )
    scripts = out / "scripts"
    first = datetime(2027, 3, 8, 14, tzinfo=UTC)
    stamp = "20270301T000000Z"
    folders: set[str] = set()
    rows = 0
    with (
        contacts.open(encoding="utf-8-sig", newline="") as source,
        (out / "calendar.ics").open("wb") as calendar,
    ):
        calendar.write(
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//outreach//bare loop//EN\r\n"
            b"CALSCALE:GREGORIAN\r\n"
        )
        for row in csv.DictReader(source):
            rows += 1
            title = "Apology call" if row["status"] == "upset" else "Clear-the-air call"
            options = [option.strip() for option in row["options"].split("|") if option.strip()]
            text = template.render(row=row, title=title, options=options)
            folder = _UNSAFE_NAME.sub("-", row["owner"]).strip("-").lower()
            if folder not in folders:
                (scripts / folder).mkdir(parents=True, exist_ok=True)
                folders.add(folder)
            name = _UNSAFE_NAME.sub("-", f"{row['company']} {row['contact_name']}").strip("-")
            with (scripts / folder / f"{rows:06d}_{name.lower()}.md").open(
                "w", encoding="utf-8"
            ) as script:
                script.write(text)
            begin = first + timedelta(minutes=30 * rows)
            summary = ics_text(f"{title} — {row['contact_name']}, {row['company']}")
            lines = [
                "BEGIN:VEVENT",
                f"SUMMARY:{summary}",
                f"DTSTART:{begin:%Y%m%dT%H%M%SZ}",
                f"DTEND:{begin + timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
                f"DTSTAMP:{stamp}",
                f"UID:bench-{rows}@outreach.invalid",
                "SEQUENCE:0",
                "CATEGORIES:apology",
                f"DESCRIPTION:{ics_text(text)}",
                f"LOCATION:{ics_text(row['phone'])}",
                "STATUS:CONFIRMED",
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{summary}",
                "TRIGGER:-PT15M",
                "END:VALARM",
                "END:VEVENT",
            ]
            calendar.write(b"".join([ics_line(line) for line in lines]))
        calendar.write(b"END:VCALENDAR\r\n")
    return rows


# --------------------------------------------------------------------------------------------
# The intermediate process (`run.py _measure SPEC`): one command, its time and peak memory


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one command and report what it cost; meant to run in a process of its own."""
    stdout = spec.get("stdout") or os.devnull
    with open(stdout, "wb") as out, open(spec["stderr"], "wb") as err:
        began = time.perf_counter()
        child = subprocess.Popen(
            spec["command"], cwd=spec["cwd"], stdout=out, stderr=err, start_new_session=True
        )
        sampler = TreeSampler(child.pid)
        sampler.start()
        try:
            code = child.wait(timeout=spec["timeout"])
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # the command and any workers it started
            child.wait()
            code = -1
        wall = time.perf_counter() - began
        sampler.stop()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Linux reports kilobytes, macOS bytes.
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    tree_bytes = max(sampler.peak, rss_bytes) if sampler.works else None
    return {
        "returncode": code,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": rss_bytes / 2**20,
        "tree_rss_mib": tree_bytes / 2**20 if tree_bytes is not None else None,
    }


class TreeSampler(threading.Thread):
    """The largest sum of memory over a process and its descendants, sampled.

    ru_maxrss is one process's peak: a command that starts workers uses more. Linux only
    (/proc). Each process counts with its proportional set size (PSS, from smaps_rollup):
    a page shared by forked processes counts once in the sum, split between them, so the sum
    is the memory the command takes. Where the kernel has no smaps_rollup, resident sizes
    (statm) are summed instead, which counts shared pages once per process: an upper bound."""

    INTERVAL = 0.1

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.works = Path(f"/proc/{pid}/task").is_dir()
        self._done = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE") if self.works else 0

    def run(self) -> None:
        while self.works and not self._done.wait(self.INTERVAL):
            self.peak = max(self.peak, self.resident())

    def stop(self) -> None:
        self._done.set()
        self.join()

    def resident(self) -> int:
        total = 0
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            try:
                total += self._memory(pid)
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                        pending.extend(int(child) for child in children.read().split())
            except (OSError, ValueError, IndexError):
                continue  # the process ended while we looked
        return total

    def _memory(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * self._page


# --------------------------------------------------------------------------------------------
# The benchmark


@dataclass
class Result:
    """The median figures of one command on one size."""

    contacts: int
    command: str
    ok: bool
    calls: int | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    peak_rss_mib: float | None = None
    tree_rss_mib: float | None = None
    calls_per_s: float | None = None
    ms_per_call: float | None = None
    ratio_to_bare: float | None = None
    runs_wall_s: list[float] = field(default_factory=list)
    runs_cpu_s: list[float] = field(default_factory=list)
    runs_rss_mib: list[float] = field(default_factory=list)
    runs_tree_rss_mib: list[float] = field(default_factory=list)
    note: str = ""


@dataclass
class Run:
    returncode: int
    wall: float
    cpu: float
    rss_mib: float
    tree_rss_mib: float | None
    calls: int | None
    error: str


@dataclass
class Bench:
    """What one invocation needs to start and count its commands."""

    work: Path
    outreach: list[str]
    mailmerge: list[str] | None
    invites: bool
    timeout: float
    notes: list[str] = field(default_factory=list)

    @property
    def environment(self) -> dict[str, str]:
        """The children's: bytecode cached (in the work folder, not the repository), so that
        after the warm-up no run pays for compiling modules, even where the shell sets
        PYTHONDONTWRITEBYTECODE."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(self.work / "pycache")
        return env

    def command(self, name: str, contacts: Path, out: Path) -> list[str]:
        if name == "generate":
            flags = ["--invites"] if self.invites else []
            return [
                *self.outreach,
                "generate",
                str(contacts),
                "--out",
                str(out),
                "--start",
                START,
                "--now",
                NOW,
                *flags,
            ]
        if name == "plan":
            return [*self.outreach, "plan", str(contacts), "--start", START, "--format", "csv"]
        if name == "check":
            return [*self.outreach, "check", str(contacts)]
        if name == "bare":
            return [sys.executable, str(Path(__file__).resolve()), "_bare", str(contacts), str(out)]
        if name == "mailmerge" and self.mailmerge:
            folder = contacts.parent
            return [
                *self.mailmerge,
                "--template",
                str(folder / "mailmerge_template.txt"),
                "--database",
                str(contacts),
                "--config",
                str(folder / "mailmerge_server.conf"),
                "--dry-run",
                "--no-limit",
                "--output-format",
                "raw",
            ]
        raise ValueError(name)

    def run(self, name: str, contacts: Path, out: Path) -> Run:
        """One measured run, in a fresh output folder that is removed afterwards."""
        if out.exists():
            shutil.rmtree(out)
        if name == "bare":
            out.mkdir(parents=True)
        stdout = out.with_name(out.name + ".stdout") if name == "bare" else None
        stderr = out.with_name(out.name + ".stderr")
        spec = {
            "command": self.command(name, contacts, out),
            "cwd": str(contacts.parent),
            "stdout": str(stdout) if stdout else None,
            "stderr": str(stderr),
            "timeout": self.timeout,
        }
        child = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "_measure", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
            env=self.environment,
        )
        figures = json.loads(child.stdout.splitlines()[-1])
        # Every synthetic row is valid, so anything but 0 is a failure (a traceback exits 1 too).
        error = "" if figures["returncode"] == 0 else _tail(stderr)
        calls: int | None = None
        if name == "generate" and not error:
            calls = _csv_rows(out / "plan.csv")
            error = "" if calls is not None else "exited 0 but wrote no plan.csv"
        elif name == "bare" and stdout and not error:
            calls = int(stdout.read_text().split()[0])
        elif name == "mailmerge" and not error:
            calls = _csv_rows(contacts)
        for path in (out, stdout, stderr):
            if path and path.is_dir():
                shutil.rmtree(path)
            elif path and path.exists():
                path.unlink()
        if hasattr(os, "sync"):
            os.sync()  # the removed files' I/O is over before the next run starts
        return Run(
            figures["returncode"],
            figures["wall"],
            figures["cpu"],
            figures["rss_mib"],
            figures["tree_rss_mib"],
            calls,
            error,
        )

    def count_plan(self, contacts: Path) -> int | None:
        """Calls in `outreach plan`'s CSV, counted in a run that is not timed."""
        target = contacts.with_name("plan-count.csv")
        with target.open("wb") as out:
            subprocess.run(
                self.command("plan", contacts, target),
                cwd=contacts.parent,
                stdout=out,
                stderr=subprocess.DEVNULL,
                check=False,
                env=self.environment,
            )
        calls = _csv_rows(target) if target.stat().st_size else None
        target.unlink()
        return calls


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "no output"
    return " | ".join(text.strip().splitlines()[-lines:]) or "no output"


def _csv_rows(path: Path) -> int | None:
    """Data rows of a CSV file, or None when there is no such file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)
    except FileNotFoundError:
        return None


def write_mailmerge_files(folder: Path) -> None:
    """A message like the bare loop's script, and a server mailmerge never reaches (dry run)."""
    body = BARE_TEMPLATE.replace("{{ title }}", "Call notes").replace("row.", "")
    body = body.replace("{% for option in options %}", '{% for option in options.split("|") %}')
    (folder / "mailmerge_template.txt").write_text(
        "TO: {{ email or 'nobody@example.invalid' }}\n"
        "FROM: Win-back team <team@example.invalid>\n"
        "SUBJECT: Our call about {{ company }}\n\n" + body,
        encoding="utf-8",
    )
    (folder / "mailmerge_server.conf").write_text(
        "[smtp_server]\nhost = 127.0.0.1\nport = 25\nsecurity = Never\n", encoding="utf-8"
    )


def find_outreach(given: str | None) -> list[str]:
    if given:
        return [given]
    beside = Path(sys.executable).parent / "outreach"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("outreach")
    return [found] if found else [sys.executable, "-m", "outreach"]


def find_mailmerge(given: str | None) -> list[str] | None:
    if given:
        return [given]
    beside = Path(sys.executable).parent / "mailmerge"
    found = str(beside) if beside.exists() else shutil.which("mailmerge")
    return [found] if found else None


def summarise(contacts: int, name: str, runs: list[Run], bare: Result | None) -> Result:
    failed = [run for run in runs if run.error]
    if failed:
        return Result(
            contacts, name, ok=False, note=f"exit {failed[0].returncode}: {failed[0].error}"
        )
    wall = statistics.median(run.wall for run in runs)
    result = Result(
        contacts,
        name,
        ok=True,
        wall_s=wall,
        cpu_s=statistics.median(run.cpu for run in runs),
        peak_rss_mib=statistics.median(run.rss_mib for run in runs),
        runs_wall_s=[round(run.wall, 4) for run in runs],
        runs_cpu_s=[round(run.cpu, 4) for run in runs],
        runs_rss_mib=[round(run.rss_mib, 1) for run in runs],
    )
    trees = [run.tree_rss_mib for run in runs if run.tree_rss_mib is not None]
    if len(trees) == len(runs):
        result.tree_rss_mib = statistics.median(trees)
        result.runs_tree_rss_mib = [round(tree, 1) for tree in trees]
    counted = {run.calls for run in runs if run.calls is not None}
    if len(counted) > 1:
        result.note = f"calls differ between runs: {sorted(counted)}"
    if counted:
        result.calls = max(counted)
    fill_rates(result, bare)
    return result


def fill_rates(result: Result, bare: Result | None) -> None:
    if not result.calls or result.wall_s is None:
        return
    result.calls_per_s = result.calls / result.wall_s
    result.ms_per_call = 1000 * result.wall_s / result.calls
    if bare and bare.ms_per_call:
        result.ratio_to_bare = result.ms_per_call / bare.ms_per_call


def growth(results: list[Result]) -> list[dict[str, Any]]:
    """Time and memory growth of each command between consecutive sizes.

    The marginal cost per call, (wall₂ − wall₁) / (calls₂ − calls₁), leaves out what does not
    grow with the input (interpreter start, imports), which dominates the smallest sizes."""
    rows: list[dict[str, Any]] = []
    for name in COMMANDS:
        mine = sorted((r for r in results if r.command == name and r.ok), key=lambda r: r.contacts)
        for small, large in itertools.pairwise(mine):
            assert small.wall_s and large.wall_s and small.peak_rss_mib and large.peak_rss_mib
            marginal = None
            if large.calls and small.calls and large.calls > small.calls:
                marginal = 1000 * (large.wall_s - small.wall_s) / (large.calls - small.calls)
            rows.append(
                {
                    "command": name,
                    "from": small.contacts,
                    "to": large.contacts,
                    "contacts": large.contacts / small.contacts,
                    "calls": large.calls / small.calls if large.calls and small.calls else None,
                    "time": large.wall_s / small.wall_s,
                    "memory": large.peak_rss_mib / small.peak_rss_mib,
                    "tree_memory": (
                        large.tree_rss_mib / small.tree_rss_mib
                        if large.tree_rss_mib and small.tree_rss_mib
                        else None
                    ),
                    "marginal_ms_per_call": marginal,
                    "marginal_ratio_to_bare": None,
                }
            )
    bare = {(r["from"], r["to"]): r["marginal_ms_per_call"] for r in rows if r["command"] == "bare"}
    for row in rows:
        reference = bare.get((row["from"], row["to"]))
        if reference and row["marginal_ms_per_call"] is not None:
            row["marginal_ratio_to_bare"] = row["marginal_ms_per_call"] / reference
    return rows


def targets(results: list[Result], growths: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Issue 7's targets, each with PASS, FAIL, or n/a when its figures were not measured."""
    by = {(r.command, r.contacts): r for r in results if r.ok}
    checks: list[tuple[str, str]] = []
    for (name, size), result in sorted(by.items(), key=lambda item: item[0][1]):
        if name == "generate" and result.ratio_to_bare is not None:
            verdict = "PASS" if result.ratio_to_bare <= MAX_RATIO_TO_BARE else "FAIL"
            checks.append(
                (
                    f"generate ≤ {MAX_RATIO_TO_BARE}× bare per call, {size:,} contacts",
                    f"{verdict} ({result.ratio_to_bare:.2f}×)",
                )
            )
    for row in growths:
        if row["command"] == "generate" and (row["from"], row["to"]) == (10_000, 100_000):
            for what, label in GROWTH_LABELS.items():
                if row[what] is None:
                    continue
                verdict = "PASS" if row[what] <= MAX_GROWTH else "FAIL"
                checks.append(
                    (
                        f"generate {label} growth 10k → 100k ≤ {MAX_GROWTH}×",
                        f"{verdict} ({row[what]:.1f}×)",
                    )
                )
    big = by.get(("generate", 100_000))
    if big and big.peak_rss_mib is not None:
        # Judged on all processes when they were sampled: workers count too.
        peak = max(big.peak_rss_mib, big.tree_rss_mib or 0)
        verdict = "PASS" if peak < MAX_RSS_MIB_100K else "FAIL"
        tree = f", all processes {big.tree_rss_mib:.0f} MiB" if big.tree_rss_mib else ""
        checks.append(
            (
                f"generate peak memory at 100k < {MAX_RSS_MIB_100K:.0f} MiB",
                f"{verdict} (largest process {big.peak_rss_mib:.0f} MiB{tree})",
            )
        )
    plan = by.get(("plan", 100_000))
    if plan and plan.wall_s is not None:
        verdict = "PASS" if plan.wall_s < MAX_PLAN_SECONDS_100K else "FAIL"
        checks.append(
            (f"plan on 100k in < {MAX_PLAN_SECONDS_100K:.0f} s", f"{verdict} ({plan.wall_s:.1f} s)")
        )
    return checks


def _number(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def table(results: Iterable[Result]) -> str:
    header = (
        f"{'contacts':>9}  {'command':<9}  {'calls':>8}  {'wall s':>8}  {'cpu s':>8}  "
        f"{'calls/s':>8}  {'ms/call':>8}  {'peak MiB':>8}  {'tree MiB':>8}  {'× bare':>6}  "
        "runs (wall s)"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        if not r.ok:
            lines.append(f"{r.contacts:>9,}  {r.command:<9}  FAILED {r.note}")
            continue
        calls = "—" if r.calls is None else f"{r.calls:,}"
        runs = " ".join(f"{w:.2f}" for w in r.runs_wall_s)
        lines.append(
            f"{r.contacts:>9,}  {r.command:<9}  {calls:>8}  {_number(r.wall_s, '.2f'):>8}  "
            f"{_number(r.cpu_s, '.2f'):>8}  {_number(r.calls_per_s, ',.0f'):>8}  "
            f"{_number(r.ms_per_call, '.3f'):>8}  {_number(r.peak_rss_mib, '.1f'):>8}  "
            f"{_number(r.tree_rss_mib, '.1f'):>8}  {_number(r.ratio_to_bare, '.2f'):>6}  {runs}"
            + (f"  ({r.note})" if r.note else "")
        )
    return "\n".join(lines)


def print_report(
    results: list[Result],
    growths: list[dict[str, Any]],
    checks: list[tuple[str, str]],
    notes: list[str],
) -> None:
    if results:
        print()
        print(table(results))
    if growths:
        print()
    for row in growths:
        detail = f"contacts ×{row['contacts']:.0f}"
        tree = f" (all processes ×{row['tree_memory']:.1f})" if row["tree_memory"] else ""
        if row["calls"]:
            detail += f", calls ×{row['calls']:.1f}"
        if row["marginal_ms_per_call"] is not None:
            detail += f"; marginal {row['marginal_ms_per_call']:.3f} ms/call"
        if row["marginal_ratio_to_bare"] is not None:
            detail += f" = {row['marginal_ratio_to_bare']:.2f}× bare"
        print(
            f"growth {row['command']:<9} {row['from']:>7,} → {row['to']:<7,}  "
            f"time ×{row['time']:.1f}  peak memory ×{row['memory']:.1f}{tree}  ({detail})"
        )
    if checks:
        print()
    for what, verdict in checks:
        print(f"target: {what}: {verdict}")
    for note in notes:
        print(f"note: {note}")


def machine() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "load_average": load_average(),
    }


def load_average() -> float | None:
    """The 1-minute load average: above zero, other processes competed for the cores."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of sizes like 1000,10000"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def parse_commands(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(COMMANDS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown command(s) {', '.join(unknown)}")
    return [name for name in COMMANDS if name in names]


def parse_sections(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section(s) {', '.join(unknown)}")
    return [name for name in SECTIONS if name in names]


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time outreach generate and plan against a bare loop on synthetic exports.",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes(DEFAULT_SIZES),
        help=f"contacts per file, comma-separated (default {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per command (median; default 3)"
    )
    parser.add_argument(
        "--sections",
        type=parse_sections,
        default=list(SECTIONS),
        help=f"which of {','.join(SECTIONS)} to run (default all): start-up of small commands, "
        "throughput on --sizes, reruns of generate into its own folder",
    )
    parser.add_argument(
        "--startup-repeat",
        type=int,
        default=9,
        help="runs per command in the startup section (median; default 9)",
    )
    parser.add_argument(
        "--incremental-size",
        type=int,
        default=3000,
        help="contacts in the incremental section's file (default 3000)",
    )
    parser.add_argument(
        "--commands",
        type=parse_commands,
        default=list(COMMANDS),
        help=f"which of {','.join(COMMANDS)} to run (default all)",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic files")
    parser.add_argument("--outreach", help="outreach executable (default: the one beside python)")
    parser.add_argument("--mailmerge", help="mailmerge executable (default: found on PATH)")
    parser.add_argument("--tmp", type=Path, help="parent of the work folder (default: system temp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (input files)")
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds per run (default 3600)"
    )
    parser.add_argument(
        "--no-warmup",
        dest="warmup",
        action="store_false",
        help="skip the untimed warm-up run of each command",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-", dir=args.tmp)).resolve()
    if work.is_relative_to(REPO):
        shutil.rmtree(work)
        sys.exit(f"run.py: the work folder must be outside the repository, not in {work}")
    outreach = find_outreach(args.outreach)
    help_text = subprocess.run(
        [*outreach, "generate", "--help"], capture_output=True, text=True, check=False
    ).stdout
    bench = Bench(
        work, outreach, find_mailmerge(args.mailmerge), "--invites" in help_text, args.timeout
    )
    started = datetime.now(UTC)
    host = machine()  # before the runs: the commit and the load they started from
    commands = list(args.commands)
    if (host["load_average"] or 0) >= 0.5:
        bench.notes.append(
            f"load average {host['load_average']} at the start: other processes shared the "
            f"{host['cpus']} cores, so expect noise (compare each run's wall time)"
        )
    if "mailmerge" in commands and not bench.mailmerge:
        commands.remove("mailmerge")
        bench.notes.append(
            "mailmerge is not installed: skipped (pip install mailmerge, or --mailmerge PATH)"
        )
    if "generate" in commands and not bench.invites:
        bench.notes.append("outreach generate has no --invites option: run without it")
    print(
        f"outreach: {' '.join(outreach)}; work folder {work}; {args.repeat} run(s) per command; "
        f"load average {host['load_average']} on {host['cpus']} cores"
    )
    starts: list[Startup] = []
    reruns: list[Rerun] = []
    results: list[Result] = []
    try:
        if "startup" in args.sections:
            starts = measure_startup(
                sys.executable,
                outreach,
                NOW,
                work / "startup",
                args.startup_repeat,
                bench.environment,
            )
        if "throughput" in args.sections:
            results = benchmark(bench, args, commands)
        if "incremental" in args.sections:
            reruns = measure_incremental(
                lambda contacts, out: bench.command("generate", contacts, out),
                work / "incremental",
                args.incremental_size,
                args.seed,
                args.repeat,
                bench.environment,
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    growths = growth(results)
    checks = targets(results, growths)
    if starts:
        lines, start_checks = startup_report(starts)
        print("\n" + "\n".join(lines))
        checks = start_checks + checks
    if reruns:
        lines, rerun_checks = incremental_report(reruns, args.incremental_size)
        print("\n" + "\n".join(lines))
        checks += rerun_checks
    print_report(results, growths, checks, bench.notes)
    if args.json:
        report = {
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": host,
            "load_average_at_end": load_average(),
            "settings": {
                "sizes": args.sizes,
                "repeat": args.repeat,
                "seed": args.seed,
                "commands": commands,
                "outreach": outreach,
                "invites": bench.invites,
                "start": START,
                "now": NOW,
            },
            "startup": [{**asdict(r), "median_ms": r.median_ms} for r in starts if r.runs_ms],
            "results": [asdict(r) for r in results],
            "incremental": [
                {**asdict(r), "wall_s": r.wall_s, "cpu_s": r.cpu_s} for r in reruns if r.runs_wall_s
            ],
            "growth": growths,
            "targets": [{"target": what, "verdict": verdict} for what, verdict in checks],
            "notes": bench.notes,
        }
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        args.json.write_text(text, encoding="utf-8")
        print(f"results written to {args.json}")
    return 0 if all(r.ok for r in results) else 1


def benchmark(bench: Bench, args: argparse.Namespace, commands: list[str]) -> list[Result]:
    if args.warmup:  # bytecode compiled, files in the page cache, before anything is timed
        sample = bench.work / "warmup" / "contacts.csv"
        sample.parent.mkdir()
        synthetic.write_file(sample, 200, args.seed)
        write_mailmerge_files(sample.parent)
        for name in commands:
            bench.run(name, sample, sample.parent / name)
        shutil.rmtree(sample.parent)
    results: list[Result] = []
    for size in args.sizes:
        folder = bench.work / f"{size}"
        folder.mkdir()
        contacts = folder / "contacts.csv"
        summary = synthetic.write_file(contacts, size, args.seed)
        write_mailmerge_files(folder)
        print(
            f"{size:,} contacts in {summary.accounts:,} accounts for {summary.reps} reps:",
            end="",
            flush=True,
        )
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for repeat in range(args.repeat):
            for name in commands:
                run = bench.run(name, contacts, folder / f"{name}-{repeat}")
                runs[name].append(run)
                print(
                    f" {name} {run.wall:.1f}s" + (" (failed)" if run.error else ""),
                    end="",
                    flush=True,
                )
        print()
        bare = summarise(size, "bare", runs["bare"], None) if "bare" in runs else None
        for name in commands:
            result = bare if name == "bare" and bare else summarise(size, name, runs[name], bare)
            if name == "bare":
                fill_rates(result, result)
            if name == "plan" and result.ok:
                generated = next(
                    (r for r in results if r.contacts == size and r.command == "generate" and r.ok),
                    None,
                )
                result.calls = generated.calls if generated else bench.count_plan(contacts)
                fill_rates(result, bare)
            results.append(result)
    return results


def _child_main(argv: list[str]) -> int:
    """The two hidden modes that run in child processes."""
    mode, *rest = argv
    if mode == "_measure":
        print(json.dumps(measure(json.loads(rest[0]))))
        return 0
    rows = bare_loop(Path(rest[0]), Path(rest[1]))
    print(rows)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("_measure", "_bare"):
        raise SystemExit(_child_main(sys.argv[1:]))
    raise SystemExit(main())
