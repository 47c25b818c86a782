"""What a command shows on the terminal: progress, warnings, skipped rows and late
apologies on stderr, all silent under --quiet but for errors."""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach.model.text import shortened, terminal_text

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from outreach.model.plan import LateApology, Plan
    from outreach.model.records import Skip
    from outreach.model.settings import Config


PROGRESS_FROM = 300
"""Runs over this many rows or calls show a progress bar on a terminal."""


_QUIET = "outreach.quiet"
"""Where --quiet is noted in the command's context, for the warnings and skipped rows."""


def note_quiet(ctx: click.Context, param: click.Parameter, quiet: bool) -> bool:
    ctx.meta[_QUIET] = quiet
    return quiet


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(_QUIET))


def color() -> bool | None:
    """No colour where NO_COLOR is set (no-color.org); otherwise click decides (terminals only)."""
    return False if os.environ.get("NO_COLOR") else None


class _Bar:
    """A progress bar on stderr, redrawn at most every REFRESH seconds: a bar when the length
    is known, else a count (click takes an iterable without a length for that). A count
    appears only once it passes PROGRESS_FROM, so a short run shows nothing but its result."""

    REFRESH = 0.1
    """Seconds between redraws: a redraw per row would cost more than the row."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label, self.total = label, total
        self.bar: ProgressBar[None] | None = None
        self.seen = self.pending = 0
        self.drawn = 0.0

    def begin(self) -> None:
        """A bar of known length shows at once; a count waits for PROGRESS_FROM items."""
        if self.total is not None:
            self._show()

    def _show(self) -> None:
        counting = self.total is None  # a count, since a bar of unknown length says nothing
        self.bar = click.progressbar(
            _unsized(),
            length=self.total,
            label=self.label,
            file=sys.stderr,
            color=color(),
            show_pos=counting,
            bar_template="%(label)s  %(info)s" if counting else "%(label)s  [%(bar)s]  %(info)s",
        )
        self.bar.pos, self.pending = self.seen, 0
        self.bar.__enter__()

    def update(self, steps: int) -> None:
        if self.bar is not None and not self.seen and steps:
            # The time to the first item (scheduling, starting workers) says nothing of the
            # rest: the estimate of the time left starts from here.
            self.bar.start = self.bar.last_eta = time.time()
        self.seen += steps
        self.pending += steps
        if self.bar is None:
            if self.seen < PROGRESS_FROM:
                return
            self._show()
        now = time.monotonic()
        if now - self.drawn >= self.REFRESH and self.bar is not None:
            self.drawn = now
            self.bar.update(self.pending)
            self.pending = 0

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.pending)
            self.bar.render_finish()


def _unsized() -> Iterator[None]:
    """An iterable without a length hint: a bar that counts instead of measuring."""
    yield from ()


@contextmanager
def progress_bar(
    label: str, count: Callable[[], int] | None, quiet: bool
) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs on a terminal; nothing when piped or quiet.
    `count` gives the bar's length (asked only when a bar may be shown); without it the bar
    counts."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    total = count() if count else None
    if total is not None and total < PROGRESS_FROM:
        yield None
        return
    bar = _Bar(label, total)
    try:  # drawing may be interrupted (Ctrl-C) too: the bar is closed, and the cursor shown
        bar.begin()
        yield bar.update
    finally:
        bar.close()


@contextmanager
def writing_into(folder: Path) -> Iterator[None]:
    """A fault of the system met while writing to an open file (disk full) names no file:
    it is named by the folder being written."""
    try:
        yield
    except OSError as error:
        if error.filename is None and error.errno != errno.EPIPE:
            error.filename = str(folder)
        raise


class _WarningLines(logging.Handler):
    """What the stages log as a warning (a phone number to check) as a `Warning:` line."""

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


def show_logged_warnings() -> None:
    logger = logging.getLogger("outreach")
    if not any(isinstance(handler, _WarningLines) for handler in logger.handlers):
        logger.addHandler(_WarningLines(logging.WARNING))
        logger.propagate = False


def warn(message: str) -> None:
    if is_quiet():
        return
    click.echo(
        click.style(f"Warning: {terminal_text(message)}", fg="yellow"), err=True, color=color()
    )


def warn_unknown_reps(reps: Iterable[str], config: Config) -> None:
    unknown = sorted(set(reps) - config.reps.keys())
    where = config.source if config.reps or config.source.endswith(".toml") else "outreach.toml"
    if unknown:
        warn(
            f'no settings for {shortened(unknown, 5)} ([reps."Name"] in {where}): their calls are '
            f"planned in {config.schedule.timezone} hours, and they get no invitation drafts"
        )


def _owners(plan: Plan) -> set[str]:
    return {call.owner for call in plan.calls}


def echo_skipped(skipped: Sequence[Skip]) -> None:
    from outreach.summary import skipped_lines

    for line in skipped_lines(skipped, only_rejected=is_quiet()):
        click.echo(line, err=True)


def echo_late(late: Sequence[LateApology]) -> None:
    """Rule 2's alarm on stderr; under --quiet, plan.csv's `late` flag and the summary keep it."""
    if is_quiet():
        return
    from outreach.summary import late_lines

    for line in late_lines(late):
        click.echo(line, err=True)


def echo_unread(rejected: Sequence[Skip]) -> None:
    """The lines of files of outcomes that were wrong (file:line: field: reason)."""
    for skip in rejected:
        click.echo(skip.message(), err=True)


def exit_for(skipped: Sequence[Skip]) -> None:
    if any(skip.kind == "rejected" for skip in skipped):
        raise SystemExit(1)
