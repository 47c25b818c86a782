"""Interrupted and concurrent runs (issue 8, point 4).

`outreach generate` runs in a subprocess on hundreds of rows and is killed with SIGKILL at
several points: nothing it leaves under a final name may be partial, and the same command run
again must take over the dead run's lock and finish with exactly the files of a run that was
never interrupted. Two runs into one folder at once: the second is refused, the first finishes
intact."""

from __future__ import annotations

import csv
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from ical.calendar_stream import IcsCalendarStream

from outreach.output.folder import MANIFEST, SCRATCH
from outreach.output.lock import LOCK
from tests.factories import row, write_csv

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
    pytest.mark.slow,  # each test runs and kills whole commands on hundreds of rows
]

ROOT = Path(__file__).parent.parent
NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"
ROWS = 600


def _synthetic_rows(path: Path, count: int) -> bool:
    """The benchmark's realistic export, when the benchmarks folder is there."""
    source = ROOT / "benchmarks" / "synthetic.py"
    if not source.is_file():
        return False
    made = subprocess.run([sys.executable, str(source), str(count), "--out", str(path), "--seed", "8"],
                          capture_output=True, timeout=60)  # fmt: skip
    return made.returncode == 0  # a benchmark in the middle of an edit must not fail this test


def _factory_rows(path: Path, count: int) -> None:
    zones = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")
    reps = ("Dana Okafor", "Tom Becker", "Priya Nair", "Marcus Chen")
    rows = [
        row(account_id=f"A-{n // 2}", company=f"Company {n // 2}", contact_name=f"Contact {n}",
            owner=reps[n // 2 % len(reps)], timezone=zones[n % len(zones)],
            status="upset" if n // 2 % 3 else "lapsed", last_contact="2026-06-01",
            email=f"c{n}@example.com")
        for n in range(count)
    ]  # fmt: skip
    write_csv(path, rows)


Workload = tuple[Path, Path]


def make_workload(folder: Path, count: int) -> Workload:
    """A contacts file of `count` rows, and settings giving every rep an e-mail (so that
    invitation drafts are written too)."""
    contacts = folder / "contacts.csv"
    if not _synthetic_rows(contacts, count):
        _factory_rows(contacts, count)
    with contacts.open(encoding="utf-8", newline="") as handle:
        owners = sorted({r["owner"] for r in csv.DictReader(handle) if r["owner"]})
    settings = folder / "outreach.toml"
    settings.write_text(
        "".join(
            f'[reps."{owner}"]\nemail = "rep{n}@example.com"\n\n' for n, owner in enumerate(owners)
        ),
        encoding="utf-8",
    )
    return contacts, settings


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Workload:
    return make_workload(tmp_path_factory.mktemp("workload"), ROWS)


def command(workload: Workload, out: Path, start: str = START) -> list[str]:
    contacts, settings = workload
    return [sys.executable, "-m", "outreach", "generate", str(contacts), "--out", str(out),
            "--config", str(settings), "--start", start, "--now", NOW, "--invites", "--quiet"]  # fmt: skip


_SCRATCH: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _own_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The runs' system temporary folder: what a killed run leaves there stays with the test."""
    _SCRATCH[:] = [tmp_path_factory.mktemp("tmpdir")]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["TMPDIR"] = str(_SCRATCH[0])
    return env


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, env=environment(), timeout=120)


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, hidden ones included, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def reference(workload: Workload, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of an uninterrupted run into a fresh folder."""
    out = tmp_path_factory.mktemp("reference") / "out"
    done = run(command(workload, out))
    assert done.returncode == 0, done.stderr[-2000:]
    written = files(out)
    assert LOCK not in written and not any(name.endswith(".tmp") for name in written)
    calendars = [name for name in written if name.endswith(".ics")]
    assert len(calendars) >= 4 and any(name.startswith("invites/") for name in written)
    for name in calendars:  # the yardstick itself must be sound
        text = written[name].decode()
        assert text.endswith("END:VCALENDAR\r\n")
        IcsCalendarStream.calendar_from_ics(text)
    return written


def kill_when(cmd: list[str], ready: Callable[[float], bool], limit: float = 60) -> bool:
    """Start `cmd`, SIGKILL it as soon as `ready(seconds since start)` holds; whether it was
    killed (False: it finished first). Returns once the run's worker processes, which notice
    their parent is gone and stop, have let go of its stderr too."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment())  # fmt: skip
    began = time.monotonic()
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - began
            if ready(elapsed) or elapsed > limit:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        try:  # reaped too: a zombie still holds its PID
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the workers of a killed run went on for 30 s")
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")
    return process.returncode == -signal.SIGKILL


def lock_is_free(out: Path) -> bool:
    """Whether a run could take the folder's lock now (nobody holds it)."""
    import fcntl  # POSIX, as this module is

    lock = out / LOCK
    if not lock.exists():
        return True
    with lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def count_files(folder: Path, suffix: str) -> int:
    total = 0
    for _, _, names in os.walk(folder):
        total += sum(name.endswith(suffix) and not name.endswith(".tmp") for name in names)
        if total > 10_000:
            break
    return total


def assert_nothing_partial(out: Path, *complete_runs: dict[str, bytes]) -> None:
    """Every file under its final name is whole: byte for byte one that a complete run writes."""
    for name, data in files(out).items():
        if name == LOCK or name.endswith(".tmp") or name.startswith(f"{SCRATCH}/"):
            continue  # the dead run's lock, temporaries and scratch are not output
        if name == MANIFEST:
            assert json.loads(data)["files"] is not None  # replaced atomically: always whole
            continue
        if name.endswith(".ics"):
            assert data.endswith(b"END:VCALENDAR\r\n"), f"{name} is cut short"
        versions = [run[name] for run in complete_runs if name in run]
        assert versions, f"{name} is not a file any complete run writes"
        assert data in versions, f"{name} is partial or mixed"


def test_killed_runs_leave_no_partial_file_and_a_rerun_finishes_the_job(
    workload: Workload, reference: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cmd = command(workload, out)
    scripts = sum(name.startswith("scripts/") for name in reference)
    points: list[tuple[str, Callable[[float], bool]]] = [
        ("after 0.2 s", lambda t: t > 0.2),
        ("once the lock is taken", lambda t: (out / LOCK).exists()),
        ("after the first script", lambda t: count_files(out / "scripts", ".md") >= 1),
        ("with a third of the scripts written",
         lambda t: count_files(out / "scripts", ".md") >= scripts // 3),
        ("after the first calendar", lambda t: count_files(out / "calendars", ".ics") >= 1),
        ("after skipped.csv, before the manifest is final", lambda t: (out / "skipped.csv").exists()),
    ]  # fmt: skip
    killed = []
    for what, ready in points:
        if kill_when(cmd, ready):
            killed.append(what)
        assert lock_is_free(out), f"killed {what}: its lock outlived it"
        assert_nothing_partial(out, reference)
    assert len(killed) >= 4, f"too few runs were caught before they finished: {killed}"

    done = run(cmd)
    assert done.returncode == 0, done.stderr[-2000:]
    assert files(out) == reference


def test_a_run_killed_while_replacing_an_earlier_runs_files_can_be_rerun(tmp_path: Path) -> None:
    """The earlier run's files and manifest are there; the new run is killed after replacing
    some of them. The rerun must not take those for files the user edited."""
    small = make_workload(tmp_path, 300)
    fresh = tmp_path / "fresh"
    assert run(command(small, fresh)).returncode == 0
    reference = files(fresh)
    out = tmp_path / "out"
    earlier = run(command(small, out, start="2027-04-05"))
    assert earlier.returncode == 0, earlier.stderr[-2000:]
    before = files(out)
    calendars = {p: p.stat().st_ino for p in (out / "calendars").glob("*.ics")}

    def replaced(_: float) -> bool:  # a calendar renamed into place: the rest are to come
        return any(p.stat().st_ino != inode for p, inode in calendars.items())

    cmd = command(small, out)
    assert kill_when(cmd, replaced)
    assert_nothing_partial(out, reference, before)

    done = run(cmd)
    assert done.returncode == 0, done.stderr[-2000:]
    assert files(out) == reference


def test_a_second_run_into_the_same_folder_is_refused_and_the_first_finishes_intact(
    workload: Workload, reference: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cmd = command(workload, out)
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environment())  # fmt: skip
    try:
        began = time.monotonic()
        while not (out / LOCK).exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() - began < 60
            time.sleep(0.005)
        second = run(cmd)
        _first_out, first_err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert second.returncode == 2
    message = second.stderr.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("Error: ")
    assert "another outreach run is writing here" in message[0] and LOCK in message[0]
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, first_err[-2000:]
    assert files(out) == reference


_HOLDER = """
import sys, time
from pathlib import Path
from outreach.errors import OutputError
from outreach.output.folder import output_folder
out, go, log = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    pass
try:
    with output_folder(out):
        began = time.monotonic()
        time.sleep(0.1)
        ended = time.monotonic()
except OutputError:
    sys.exit(2)
with log.open("a") as handle:
    handle.write(f"{began} {ended}\\n")
"""


def test_a_dead_runs_lock_is_taken_over_by_one_run_only(tmp_path: Path) -> None:
    """Several runs find the lock of a killed run at the same instant: exactly one may go on.

    Judging the lock by its PID and then replacing it let two of four runs in (about one
    trial in eight); the lock is now held by the operating system and dies with its run."""
    holder = tmp_path / "holder.py"
    holder.write_text(_HOLDER, encoding="utf-8")
    for trial in range(5):
        out = tmp_path / f"out{trial}"
        out.mkdir()
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (out / LOCK).write_text(f"{dead.pid}\n")
        go, log = tmp_path / f"go{trial}", tmp_path / f"log{trial}"
        racers = [
            subprocess.Popen(
                [sys.executable, str(holder), str(out), str(go), str(log)], env=environment()
            )
            for _ in range(4)
        ]
        time.sleep(0.3)  # every racer is spinning on the start line
        go.touch()
        codes = [racer.wait(timeout=60) for racer in racers]
        spans = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
        assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans)), (
            f"trial {trial}: two runs held the lock at once"
        )
        assert codes.count(0) == len(spans) >= 1 and set(codes) <= {0, 2}
        assert not (out / LOCK).exists()
