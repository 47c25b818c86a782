"""Work split over processes: each group of items in a forked child, results in group order.

Forking shares the parent's plan and compiled templates without copying or pickling them;
only each group's small result travels back. A child whose parent died stops by itself."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from outreach.errors import InternalError, OutputError, OutreachError, bug_report, explained

PARALLEL_FROM = 500
"""Work for fewer contacts is done by one process: forking costs more than it saves."""

Item = TypeVar("Item")
Result = TypeVar("Result")

Tick = Callable[[], None]


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def split_reps(reps: list[str], weights: Counter[str], jobs: int | None) -> list[list[str]]:
    """Reps in groups of about equal work, one per process; one group for a small plan."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or weights.total() < PARALLEL_FROM or not can_fork():
        return [reps]
    groups: list[list[str]] = [[] for _ in range(min(workers, len(reps)))]
    load = [0] * len(groups)
    for rep in sorted(reps, key=lambda r: (-weights[r], r)):  # biggest first, to the lightest group
        lightest = load.index(min(load))
        groups[lightest].append(rep)
        load[lightest] += weights[rep]
    return [group for group in groups if group]


def run_split(
    work: Callable[[Sequence[Item], Tick], Result],
    groups: Sequence[Sequence[Item]],
    progress: Callable[[int], None] | None = None,
) -> list[Result]:
    """`work(group, tick)` for every group, each in a child process; `tick()` once per unit
    of work drives `progress` in the parent."""
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    # Objects the children only read stay shared: without this, the collector's bookkeeping
    # would touch, and so copy, every page of the plan in every child.
    gc.freeze()
    parent = os.getpid()
    children = []
    # Ctrl-C is the parent's to handle: a child forked with it blocked ignores it, and is
    # stopped by the parent, so the screen shows "Interrupted." and no child's traceback.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for group in groups:
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(
                target=_child, args=(work, group, sender, done, parent), daemon=True
            )
            child.start()
            sender.close()
            children.append((child, receiver))
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    results: list[Any] = [None] * len(groups)
    waiting = set(range(len(groups)))
    reported = 0
    try:
        while waiting:
            for index in sorted(waiting):
                child, receiver = children[index]
                if receiver.poll(0.05):
                    results[index] = _outcome(receiver)
                    waiting.discard(index)
                elif not child.is_alive() and not receiver.poll():
                    raise OutputError(
                        f"a worker process stopped unexpectedly (exit status {child.exitcode})"
                    )
            if progress:
                count = done.value
                progress(count - reported)
                reported = count
    finally:
        for child, _ in children:
            if child.is_alive():
                child.terminate()
            child.join()
        gc.unfreeze()
    return results


def _outcome(receiver: Connection) -> Any:
    try:
        kind, value = receiver.recv()
    except EOFError:
        raise OutputError("a worker process stopped before it reported") from None
    if kind == "error":
        error = OutreachError(value[1])
        error.exit_code = value[0]
        raise error
    if kind == "fault":  # raised again here, to be reported as the parent's own would be
        raise OSError(*value)
    if kind == "bug":
        summary, details = value
        raise InternalError(summary, details)
    return value


def _child(work: Callable[[Sequence[Any], Tick], Any], group: Sequence[Any], sender: Connection,
           done: Any, parent: int) -> None:  # fmt: skip
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        with done.get_lock():
            done.value += 1
        if count % 64 == 0 and os.getppid() != parent:
            os._exit(1)  # the run was killed: stop writing for it

    try:
        sender.send(("ok", work(group, tick)))
    except OutreachError as error:
        sender.send(("error", (error.exit_code, explained(error))))
    except OSError as error:  # the output folder went away under the run, say
        sender.send(("fault", (error.errno, error.strerror, error.filename)))
    except Exception as error:  # a bug: the parent reports it, with this traceback
        sender.send(("bug", bug_report(error)))
    finally:
        sender.close()
