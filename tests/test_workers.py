"""The worker pool: results in order, progress counted, a worker's bug reported with its
traceback, a user's error with its message and exit status, a dead worker as one error line;
with fork and with spawn (the default on macOS and Windows)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import traceback

import pytest

import outreach.output.workers
from outreach.errors import OutputError, OutreachError
from outreach.output.workers import Tick, run_tasks

STARTS = [
    pytest.param(method, marks=[pytest.mark.slow] if method == "spawn" else [])  # ~1 s a worker
    for method in ("fork", "spawn")
    if method in multiprocessing.get_all_start_methods()
]


@pytest.fixture(params=STARTS)
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(
        outreach.output.workers, "CONTEXT", multiprocessing.get_context(request.param)
    )
    return str(request.param)


def _square(item: int, tick: Tick) -> tuple[int, int]:
    for _ in range(item):
        tick()
    return item * item, os.getpid()


def _buggy(item: int, tick: Tick) -> int:
    if item == 3:
        return [item][item]  # the planted bug: an IndexError
    return item


def _disk_full(item: int, tick: Tick) -> int:
    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError:  # as the output folder reports it: the OSError is its context
        raise OutputError("out/a.md: cannot write") from None


def _dies(item: int, tick: Tick) -> int:
    if item == 1:
        os._exit(9)
    return item


def test_results_come_in_order_from_several_processes_and_progress_counts_every_tick(
    start: str,
) -> None:
    ticks: list[int] = []
    results = list(run_tasks(_square, [5, 1, 4, 2, 3], workers=2, progress=ticks.append))
    assert [square for square, _ in results] == [25, 1, 16, 4, 9]
    assert os.getpid() not in {pid for _, pid in results}
    assert sum(ticks) == 15


def test_one_worker_works_here() -> None:
    ticks: list[int] = []
    results = list(run_tasks(_square, [2, 3], workers=1, progress=ticks.append))
    assert results == [(4, os.getpid()), (9, os.getpid())]
    assert ticks == [1] * 5


def test_a_bug_in_a_worker_arrives_with_the_workers_traceback(start: str) -> None:
    with pytest.raises(IndexError) as raised:
        list(run_tasks(_buggy, [1, 2, 3, 4], workers=2))
    report = "".join(traceback.format_exception(raised.value))
    assert "_buggy" in report and "return [item][item]" in report  # the worker's line


def test_a_users_error_in_a_worker_keeps_its_message_hint_and_exit_status(start: str) -> None:
    with pytest.raises(OutreachError) as raised:
        list(run_tasks(_disk_full, [1, 2], workers=2))
    assert str(raised.value).startswith("out/a.md: cannot write; the disk is full")
    assert raised.value.exit_code == OutputError.exit_code


def test_a_dead_worker_is_one_error(start: str) -> None:
    with pytest.raises(OutputError, match="a worker process stopped unexpectedly"):
        list(run_tasks(_dies, [0, 1, 2, 3], workers=2))
