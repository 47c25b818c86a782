"""Commands run as a person runs them: `python -m outreach …` in a child process, under a
pseudo-terminal (so click's bars, colours and isatty branches take the path a person sees)
or with its output piped (as in a script)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent
COLUMNS = 120
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def environment(tmp: Path | None = None) -> dict[str, str]:
    """The caller's environment without what changes output (NO_COLOR, SOURCE_DATE_EPOCH),
    with this checkout first on the path and a terminal of known width."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SOURCE_DATE_EPOCH")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES="40", LC_ALL="C.UTF-8")
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "outreach", *args]


@dataclass(frozen=True)
class Run:
    status: int
    raw: str
    """Everything the terminal received, escape sequences and carriage returns included."""

    @property
    def screen(self) -> str:
        """What the terminal shows at the end: escapes dropped, and of each line only what a
        carriage return did not overwrite (a progress bar's last state)."""
        lines = _ESCAPE.sub("", self.raw).replace("\r\n", "\n").split("\n")
        return "\n".join(line.rsplit("\r", 1)[-1].rstrip() for line in lines)

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.raw


def in_terminal(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    when: Callable[[str], bool] | None = None,
    then: Callable[[int], object] | None = None,
) -> Run:
    """Run `args` under a new pseudo-terminal, reading until every process holding it has
    closed it (a worker left behind would hold it open: a timeout).

    `then(terminal)` is called with the terminal's descriptor once the output so far
    satisfies `when`: writing b"\x03" to it is pressing Ctrl-C."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        try:
            os.chdir(cwd)
            os.execve(args[0], args, env if env is not None else environment())
        finally:
            os._exit(127)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    acted = when is None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise TimeoutError(f"{args} ran over {timeout} s: {b''.join(chunks)[-2000:]!r}")
            ready, _, _ = select.select([fd], [], [], min(left, 0.05))
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            if not acted and when is not None and when(b"".join(chunks).decode("utf-8", "replace")):
                acted = True
                if then is not None:
                    then(fd)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return Run(os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace"))


def piped(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env if env is not None else environment(),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip
