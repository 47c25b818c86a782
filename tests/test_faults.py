"""Faults of the system and bugs of outreach, as a person meets them (issue 14 point 7,
issue 13 point 6).

A full disk, a file-size limit, permission denied or a read-only folder is one `Error:` line
naming the path and what to do, exit status 2, and the same command run again after the fix
ends byte-identical to a clean run. Ctrl-C while workers run prints "Interrupted." and
nothing else, exit status 130. A bug exits 70 with one line naming the file that holds its
traceback (--debug prints it), with one worker or several.

Tests run as root, where permissions do not stop anything: EACCES and EROFS are raised at
the edge by a stand-in for `os` or `Path.open`; the full disk is real (RLIMIT_FSIZE)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

import outreach.output.confined
import outreach.output.previous
from outreach.errors import INTERNAL_ERROR
from tests.factories import invoke, row, write_csv
from tests.terminal import ROOT, command, environment, in_terminal

NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and rlimits")


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, hidden ones included, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def synthetic(folder: Path, count: int) -> Path:
    path = folder / f"contacts-{count}.csv"
    made = subprocess.run([sys.executable, str(ROOT / "benchmarks/synthetic.py"), str(count),
                           "--out", str(path), "--seed", "8"], capture_output=True, timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return path


def team(path: Path, contacts: int = 6) -> Path:
    """A small file: two reps, upset and lapsed contacts (invitation drafts too)."""
    rows = [row(account_id=f"A-{n}", company=f"Company {n}", contact_name=f"Contact {n}",
                owner=("Sam Rep", "Kim Rep")[n % 2], status=("upset", "lapsed")[n % 3 == 0],
                last_contact="2026-06-01")
            for n in range(contacts)]  # fmt: skip
    return write_csv(path, rows)


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, err
    return errors[0]


# -- a full disk, for real -------------------------------------------------------------


def _file_size_limit(limit: int) -> Any:
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, as Python itself asks for
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


@posix_only
@pytest.mark.slow
def test_a_file_size_limit_is_an_error_and_a_rerun_finishes_the_job(tmp_path: Path) -> None:
    """In worker processes (the in-process tests below cover one process)."""
    contacts = synthetic(tmp_path, 520)  # over 500 contacts: --jobs 2 writes in two processes
    args = command("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW,
                   "--start", START, "--jobs", "2", "-q")  # fmt: skip
    env = environment(tmp_path)
    full = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
                          preexec_fn=_file_size_limit(64 * 1024))  # fmt: skip
    assert full.returncode == 2, full.stderr
    line = one_error_line(full.stderr)
    assert str(tmp_path / "out") in line and "File too large" in line and "ulimit -f" in line
    assert "run the same command again" in line

    again = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert again.returncode == 0, again.stderr
    clean = [
        *args[: args.index("--out") + 1],
        str(tmp_path / "clean"),
        *args[args.index("--out") + 2 :],
    ]
    assert subprocess.run(clean, env=env, cwd=tmp_path, timeout=300).returncode == 0
    assert files(tmp_path / "out") == files(tmp_path / "clean")


# -- disk full and permission denied, raised at the edge ------------------------------


class _Failing:
    """`os` as the module that writes the output folder sees it, with one call failing with
    `code`."""

    def __init__(self, name: str, code: int, after: int = 0, on: str = "") -> None:
        self.name, self.code, self.after, self.on = name, code, after, on

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name != self.name:
            return real

        def failing(*args: Any, **kwargs: Any) -> Any:
            if self.on and self.on not in os.fsdecode(args[0]):
                return real(*args, **kwargs)
            if self.after <= 0:
                raise OSError(self.code, os.strerror(self.code))
            self.after -= 1
            return real(*args, **kwargs)

        return failing


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS])
def test_disk_full_while_writing_is_one_error_line_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    contacts = team(tmp_path / "c.csv")
    args = ("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW,
            "--start", START, "--invites", "--config", str(_settings(tmp_path)))  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(outreach.output.confined, "os", _Failing("write", code, after=5))
        status, _, err = invoke(*args)
    assert status == 2, err
    line = one_error_line(err)
    assert str(tmp_path / "out") in line and os.strerror(code) in line
    assert ("free some space" if code != errno.EROFS else "choose a path you can write to") in line
    assert invoke(*args)[0] == 0
    assert invoke(*args[:2], "--out", str(tmp_path / "clean"), *args[4:])[0] == 0
    assert files(tmp_path / "out") == files(tmp_path / "clean")


def _settings(folder: Path) -> Path:
    path = folder / "outreach.toml"
    path.write_text('[reps."Sam Rep"]\nemail = "sam@example.com"\n\n'
                    '[reps."Kim Rep"]\nemail = "kim@example.com"\n', encoding="utf-8")  # fmt: skip
    return path


@pytest.mark.slow
def test_permission_denied_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second week's run no longer writes a dropped contact's script, and cannot remove
    it: one error line; once the permission is back, the same command finishes the job."""
    first = team(tmp_path / "first.csv")
    week = ("--now", NOW, "--start", START)
    assert invoke("generate", str(first), "--out", str(tmp_path / "out"), *week)[0] == 0
    second = team(tmp_path / "second.csv", contacts=4)
    args = ("generate", str(second), "--out", str(tmp_path / "out"), *week)
    with monkeypatch.context() as patch:
        patch.setattr(outreach.output.confined, "os", _Failing("unlink", errno.EACCES, on=".md"))
        status, _, err = invoke(*args)
    assert status == 2
    line = one_error_line(err)
    assert "Permission denied" in line and "scripts/" in line and "change the permissions" in line
    assert invoke(*args)[0] == 0
    assert invoke("generate", str(second), "--out", str(tmp_path / "clean"), *week)[0] == 0
    assert files(tmp_path / "out") == files(tmp_path / "clean")


def _denied(real: Any, part: str) -> Any:
    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        if part in self.as_posix():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, *args, **kwargs)

    return denied


def test_permission_denied_on_previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contacts = team(tmp_path / "c.csv")
    week = ("--now", NOW, "--start", START)
    assert invoke("generate", str(contacts), "--out", str(tmp_path / "last"), *week)[0] == 0
    args = ("generate", str(contacts), "--out", str(tmp_path / "out"), "--previous",
            str(tmp_path / "last"), *week)  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(outreach.output.previous, "os", _Failing("open", errno.EACCES))
        status, _, err = invoke(*args)
    assert status == 2
    line = one_error_line(err)
    assert f"{tmp_path / 'last' / 'plan.csv'}: cannot read: Permission denied" in line
    assert not (tmp_path / "out").exists()
    assert invoke(*args)[0] == 0


def test_init_into_a_read_only_folder_and_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(Path, "open", _read_only(Path.open, "team/templates"))
        status, _, err = invoke("init", "team")
    assert status == 2
    line = one_error_line(err)
    assert "team/templates/" in line and "Read-only file system" in line
    assert invoke("init", "team")[0] == 0
    assert invoke("init", "clean")[0] == 0
    assert files(tmp_path / "team") == files(tmp_path / "clean")


def _read_only(real: Any, part: str) -> Any:
    def read_only(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if part in self.as_posix() and mode != "r":
            handle = real(self, mode, *args, **kwargs)  # the file is made, then the write fails
            handle.close()
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, mode, *args, **kwargs)

    return read_only


@pytest.mark.parametrize("where", ["folder", "file"])
def test_init_into_a_dangling_link(tmp_path: Path, where: str) -> None:
    if where == "folder":
        (tmp_path / "team").symlink_to(tmp_path / "gone" / "team")
        broken = tmp_path / "team"
    else:
        (tmp_path / "team").mkdir()
        (tmp_path / "team/contacts.csv").symlink_to(tmp_path / "gone.csv")
        broken = tmp_path / "team/contacts.csv"
    status, _, err = invoke("init", str(tmp_path / "team"))
    assert status == 2
    line = one_error_line(err)
    assert f"{broken}: a symbolic link to " in line and "which does not exist" in line
    assert not (tmp_path / "gone").exists() and not (tmp_path / "gone.csv").exists()


# -- Ctrl-C ----------------------------------------------------------------------------


@posix_only
@pytest.mark.slow
def test_ctrl_c_while_workers_write_prints_interrupted_only(tmp_path: Path) -> None:
    contacts = synthetic(tmp_path, 3000)
    args = command("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW,
                   "--start", START, "--jobs", "2")  # fmt: skip
    run = in_terminal(args, tmp_path, environment(tmp_path), timeout=300,
                      when=lambda screen: "%" in screen,  # the bar has drawn: the workers write
                      then=lambda terminal: os.write(terminal, b"\x03"))  # fmt: skip
    assert run.status == 130, run.screen
    assert "Traceback" not in run.raw and "Process " not in run.raw and "Error" not in run.raw
    after_bar = run.screen.rsplit("Writing calls", 1)[1].splitlines()[1:]
    assert [line for line in after_bar if line.strip()] == ["Interrupted."], repr(run.raw[-600:])
    assert "Writing calls" in run.screen and "Wrote " not in run.screen


# -- bugs --------------------------------------------------------------------------------


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise ZeroDivisionError("division by zero (planted)")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.usefixtures("bug_reports")
def test_a_bug_exits_70_and_names_the_file_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    import outreach.output.generate
    import outreach.output.workers

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the planted bug reaches the workers by fork (tests/test_workers.py: spawn)")
    monkeypatch.setattr(outreach.output.workers, "CONTEXT", multiprocessing.get_context("fork"))
    monkeypatch.setattr(outreach.output.workers, "PARALLEL_FROM", 0)  # two workers on a small file
    monkeypatch.setattr(outreach.output.generate, "plain_text", _broken)  # runs in the workers
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    contacts = team(tmp_path / "c.csv")
    args = ("generate", str(contacts), "--out", str(tmp_path / "out"), "--now", NOW, "--jobs", jobs)
    status, _, err = invoke(*args)
    assert status == INTERNAL_ERROR == 70
    line = one_error_line(err)
    assert line.startswith(
        "Error: internal error, a bug in outreach: ZeroDivisionError: division by zero"
    )
    report = next(tmp_path.glob("outreach-bug-*.txt"))
    assert str(report) in line and "--debug" in line
    text = report.read_text(encoding="utf-8")
    assert "_broken" in text and "ZeroDivisionError" in text
    if jobs == "2":
        assert "_RemoteTraceback" in text and "_write_rep" in text  # the worker's traceback

    status, _, err = invoke("--debug", *args)
    assert status == 70
    assert "Traceback (most recent call last)" in err and "_broken" in err
    assert err.rstrip().splitlines()[-1].startswith("Error: internal error, a bug in outreach:")


@pytest.mark.usefixtures("bug_reports")
def test_a_bug_is_not_exit_1_or_2_in_any_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outreach.app
    import outreach.output.starter
    import outreach.render.catalogue

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    contacts = team(tmp_path / "c.csv")
    for name in ("check_file", "roster_file", "plan_file"):  # each command imports them as it runs
        monkeypatch.setattr(outreach.app, name, _broken)
    monkeypatch.setattr(outreach.render.catalogue, "describe_templates", _broken)
    monkeypatch.setattr(outreach.output.starter, "init_folder", _broken)
    for args in (("check", str(contacts)), ("plan", str(contacts)), ("templates",), ("init", "x"),
                 ("preview", str(contacts), "--account", "A-1"),
                 ("generate", str(contacts), "--out", "out")):  # fmt: skip
        status, _, err = invoke(*args)
        assert status == 70, (args, err)
        assert one_error_line(err).startswith("Error: internal error, a bug in outreach:")
