"""Work spread over worker processes (`concurrent.futures`): a task per item, results in the
items' order, progress counted as the workers go.

The work is a picklable callable holding what every task reads (the plan, say): a worker
inherits it when forked, or gets it pickled once when spawned; each task's item (a rep's name)
travels with the task. A task's exception is raised again in the parent with the worker's
traceback; a worker that dies is one error line. A worker ignores Ctrl-C (the parent stops it)
and stops by itself when the parent dies, so a killed run leaves nothing writing for it."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as wait_for
from multiprocessing.sharedctypes import Synchronized
from typing import Any, TypeVar, cast

from outreach.errors import OutputError, OutreachError, explained

PARALLEL_FROM = 500
"""Work for fewer contacts is done by one process: starting workers costs more than it saves."""

# Fork on Linux: spawn took 1.5-1.9x fork's CPU for `plan` at 10k; elsewhere spawn (macOS: no fork)
CONTEXT = multiprocessing.get_context("fork" if sys.platform == "linux" else None)

Item = TypeVar("Item")
Result = TypeVar("Result")

Tick = Callable[[], None]
"""Called by a task once per unit of work (a call written), for the progress bar."""

Work = Callable[[Item, Tick], Result]

_done: Synchronized[Any] | None = None
"""In a worker: the count of units done by every worker, which the parent reports."""
_work: Callable[[Any, Tick], object] | None = None
"""In a worker: its copy of the run's work."""


def worker_count(jobs: int | None, weight: int) -> int:
    """How many processes share work for `weight` contacts: one, this one, for a small plan."""
    if weight < PARALLEL_FROM:
        return 1
    return jobs if jobs is not None else (os.cpu_count() or 1)


def run_tasks(
    work: Work[Item, Result],
    items: Sequence[Item],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Result]:
    """`work(item, tick)` for every item, results in order: here for one worker, else in
    worker processes. `progress(n)` hears of the ticks."""
    if workers <= 1 or len(items) <= 1:
        tick = (lambda: progress(1)) if progress else (lambda: None)
        for item in items:
            yield work(item, tick)
        return
    yield from _in_workers(work, items, min(workers, len(items)), progress)


def _in_workers(
    work: Work[Item, Result],
    items: Sequence[Item],
    workers: int,
    progress: Callable[[int], None] | None,
) -> Iterator[Result]:
    done = CONTEXT.Value("q", 0)
    # Objects a forked worker only reads stay shared: without this, the collector's bookkeeping
    # would touch, and so copy, every page of the parent's contacts in every worker.
    gc.freeze()
    pool = ProcessPoolExecutor(workers, CONTEXT, initializer=_start_worker, initargs=(work, done))
    finished = False
    try:
        # Ctrl-C is the parent's to handle: a worker starts with it blocked, then ignores it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            futures = [cast("Future[Result]", pool.submit(_run_task, item)) for item in items]
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        futures.reverse()  # popped in order, so that a result handed on is not kept here
        reported = 0
        while futures:
            while not futures[-1].done():
                running = [future for future in futures if not future.done()]
                wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
                for failed in (f for f in futures if f.done() and f.exception()):
                    _result(failed)  # a later item's error stops the run now
                if progress:
                    progress(done.value - reported)
                    reported = done.value
            yield _result(futures.pop())
        if progress:
            progress(done.value - reported)
        finished = True
    finally:
        if not finished:  # stopped mid-task: shutdown() alone would wait for the tasks under way
            for process in list(pool._processes.values()):  # terminate_workers() in Python 3.14
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _result(future: Future[Result]) -> Result:
    try:
        return future.result()
    except BrokenProcessPool:
        raise OutputError(
            "a worker process stopped unexpectedly (killed, or out of memory); "
            "run the same command again"
        ) from None


def _start_worker(work: Callable[[Any, Tick], object], done: Synchronized[Any]) -> None:
    global _done, _work
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _done, _work = done, work
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(parent_sentinel: int) -> None:
    wait_for([parent_sentinel])
    os._exit(1)  # the run was killed: stop writing for it


def _run_task(item: object) -> object:
    assert _work is not None, "a task outside a worker"
    try:
        return _work(item, _tick)
    except OutreachError as error:
        # Its hint (disk full, say) comes from the OSError behind it, which pickling drops.
        reported = OutreachError(explained(error))
        reported.exit_code = error.exit_code
        raise reported from None


def _tick() -> None:
    assert _done is not None
    with _done.get_lock():
        _done.value += 1
