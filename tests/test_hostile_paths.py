"""The output folder is the only place a run writes or deletes (issue 14, point 1).

Whatever was planted or hand-edited in `--out` (its manifest, the scratch folder's journals,
the lock, temporaries with guessable names, folders that are symbolic links) or in the
`--previous` folder, the files of a "victim" folder beside it keep their bytes and their
modification times, and the run ends with an `Error:` line or a `Warning:` line, never a
traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from outreach.output.folder import MANIFEST, SCRATCH
from outreach.output.lock import LOCK
from tests.factories import EXAMPLE, SETTINGS, invoke

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need POSIX")

NOW = "2027-03-01T12:00:00+00:00"

Snapshot = dict[str, tuple[str, bytes, int]]


@pytest.fixture(autouse=True)
def _never_hang() -> Iterator[None]:
    """A named pipe read as a file blocks for good: such a run fails the test instead."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("the run blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def generate(out: Path, *extra: str) -> tuple[int, str, str]:
    return invoke("generate", str(EXAMPLE), "--out", str(out), "--config", str(SETTINGS),
                  "--start", "2027-03-08", "--now", NOW, "--invites", *extra)  # fmt: skip


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A user's folder beside --out, holding files named like the ones outreach writes."""
    folder = tmp_path / "victim"
    for name in ("notes.txt", "plan.csv", "sub/keep.md", "journal/1.jsonl"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"the user's {name}\n")
    past = 1_600_000_000_000_000_000
    for path in folder.rglob("*"):
        os.utime(path, ns=(past, past))
    return folder


def snapshot(folder: Path) -> Snapshot:
    """Every entry under `folder`: its kind, content (or link target) and modification time."""
    taken: Snapshot = {}
    for directory, folders, names in os.walk(folder):
        for name in folders + names:
            path = Path(directory, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                taken[str(path)] = ("link", os.readlink(path).encode(), info.st_mtime_ns)
            elif stat.S_ISDIR(info.st_mode):
                taken[str(path)] = ("folder", b"", info.st_mtime_ns)
            else:
                taken[str(path)] = ("file", path.read_bytes(), info.st_mtime_ns)
    return taken


def untouched(victim: Path, run: Callable[[], tuple[int, str, str]]) -> tuple[int, str, str]:
    """`run()`'s outcome, once checked that it left `victim` as it was and printed no
    traceback."""
    before = snapshot(victim)
    code, stdout, stderr = run()
    assert "Traceback" not in stdout + stderr, stderr
    assert snapshot(victim) == before
    return code, stdout, stderr


def one_error(stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], stderr


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning: ")]


def outside_entries(victim: Path) -> list[str]:
    """Manifest or journal entries naming files outside the output folder, every way."""
    return [
        "../victim/notes.txt",
        str(victim / "plan.csv"),
        "scripts/../../victim/sub/keep.md",
        "./../victim/journal/1.jsonl",
        "scripts//../../victim/notes.txt",
        LOCK,
        f"{SCRATCH}/journal",
    ]


def test_manifest_entries_outside_the_folder_are_ignored_with_a_warning(
    tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"].update(dict.fromkeys(outside_entries(victim)))  # a hand edit
    (out / MANIFEST).write_text(json.dumps(manifest))

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 0, stderr
    [warning] = warnings(stderr)
    assert str(out / MANIFEST) in warning and "../victim/notes.txt" in warning
    assert "ignored 7 entries naming no file" in warning and warning.endswith(" and 4 more")
    assert not set(outside_entries(victim)) & set(json.loads((out / MANIFEST).read_text())["files"])


def test_journal_entries_outside_the_folder_are_ignored_with_a_warning(
    tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    journal = out / SCRATCH / "journal" / "4242.jsonl"  # as a killed run leaves it
    journal.parent.mkdir(parents=True)
    journal.write_text("".join(f"{json.dumps(entry)}\n" for entry in outside_entries(victim)))

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 0, stderr
    [warning] = warnings(stderr)
    assert str(journal) in warning and "../victim/notes.txt" in warning


def _plant(path: Path, content: bytes | str | None, victim: Path) -> None:
    """`content` as a file, "folder", or "link" (to one of the victim's files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if content == "folder":
        path.mkdir()
        (path / "inside").write_text("x")
    elif content == "link":
        path.symlink_to(victim / "notes.txt")
    elif content == "fifo":
        os.mkfifo(path)
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)


DAMAGED = {
    "a list": b"[]",
    "null": b"null",
    "files a list": b'{"files": []}',
    "files null": b'{"files": null}',
    "a number for a digest": b'{"files": {"plan.csv": 5}}',
    "a list for a path": b'{"files": {"plan.csv": "x", "x": ["y"]}}',
    "cut short": b'{"files": {"plan.csv": ',
    "not UTF-8": b'{"files": {"\xff": null}}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "a folder": "folder",
    "a link": "link",
    "a named pipe": "fifo",
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_manifest_counts_as_none_with_a_warning(
    tmp_path: Path, victim: Path, content: bytes | str
) -> None:
    out = tmp_path / "out"
    _plant(out / MANIFEST, content, victim)

    code, _, stderr = untouched(victim, lambda: generate(out))
    if content == "folder":  # then it holds a file outreach did not write: refused as ever
        assert code == 2
        one_error(stderr, str(out), "did not write", f"{MANIFEST}/inside")
        return
    assert code == 0, stderr
    assert any(str(out / MANIFEST) in line for line in warnings(stderr)), stderr
    assert json.loads((out / MANIFEST).read_text())["files"]["plan.csv"]


def test_without_a_manifest_an_earlier_runs_files_count_as_the_users(
    tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    (out / MANIFEST).write_text("[]")
    before = snapshot(out)

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 2
    one_error(stderr, "did not write", "--force", f"warning: {out / MANIFEST}: not a manifest")
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(MANIFEST)} == {
        k: v for k, v in before.items() if not k.endswith(MANIFEST)
    }


DAMAGED_JOURNALS = {
    "not UTF-8": b'"scripts/a.md"\n\xff\xfe\n',
    "an object": b'{"path": "scripts/a.md"}\n',
    "a folder": "folder",
    "a link": "link",
    "a named pipe": "fifo",
}


@pytest.mark.slow  # a whole generate per kind of damage; the manifest tests cover the quick path
@pytest.mark.parametrize("content", DAMAGED_JOURNALS.values(), ids=DAMAGED_JOURNALS.keys())
def test_a_damaged_journal_counts_as_none_with_a_warning(
    tmp_path: Path, victim: Path, content: bytes | str
) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    journal = out / SCRATCH / "journal" / "4242.jsonl"
    _plant(journal, content, victim)

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 0, stderr
    assert any(str(journal) in line for line in warnings(stderr)), stderr


def test_a_journal_cut_short_by_a_kill_is_no_cause_for_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    journal = out / SCRATCH / "journal" / "4242.jsonl"
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b'"scripts/a.md"\n"scripts/b')
    code, _, stderr = generate(out)
    assert code == 0 and not warnings(stderr), stderr


@pytest.mark.parametrize("kind", ["symbolic", "hard"])
def test_a_lock_that_is_a_link_is_refused_and_its_target_kept(
    tmp_path: Path, victim: Path, kind: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if kind == "symbolic":
        (out / LOCK).symlink_to(victim / "notes.txt")
    else:
        os.link(victim / "notes.txt", out / LOCK)

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 2
    one_error(stderr, str(out / LOCK), "remove it")


def test_temporary_names_a_link_was_planted_at_are_not_followed(
    tmp_path: Path, victim: Path
) -> None:
    """The run writes in this process (a small plan): its temporary names were
    `.<name>.<pid>.tmp`, and a link planted at one was opened and truncated."""
    reference = tmp_path / "reference"
    assert generate(reference)[0] == 0
    out = tmp_path / "out"
    pid = os.getpid()
    written = [p.relative_to(reference) for p in reference.rglob("*") if p.is_file()]
    for relative in written:
        planted = out / relative.parent / f".{relative.name}.{pid}.tmp"
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.symlink_to(victim / "notes.txt")

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 0, stderr
    assert (out / "plan.csv").read_bytes() == (reference / "plan.csv").read_bytes()


@pytest.mark.parametrize(
    "folder", ["scripts", "calendars", "invites", SCRATCH, "scripts/{rep}", "invites/{rep}"]
)
def test_a_subfolder_that_is_a_symbolic_link_is_refused(
    tmp_path: Path, victim: Path, folder: str
) -> None:
    reference = tmp_path / "reference"
    assert generate(reference)[0] == 0
    rep = next((reference / "scripts").iterdir()).name
    out = tmp_path / "out"
    link = out / folder.format(rep=rep)
    link.parent.mkdir(parents=True)
    link.symlink_to(victim, target_is_directory=True)

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 2
    one_error(stderr, str(link), "symbolic link")
    assert not (out / "plan.csv").exists()


def test_a_subfolder_made_a_link_after_a_run_is_refused_on_the_rerun(
    tmp_path: Path, victim: Path
) -> None:
    """The rerun would replace the files there and remove those it no longer writes."""
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    (out / "scripts").rename(victim / "scripts")
    (out / "scripts").symlink_to(victim / "scripts", target_is_directory=True)

    code, _, stderr = untouched(victim, lambda: generate(out, "--force"))
    assert code == 2
    one_error(stderr, str(out / "scripts"), "symbolic link")


HOSTILE_PLANS = {
    "not UTF-8": b"id,owner\n\xff\xfe,x\n",
    "a huge cell": b"id,owner\n" + b"x" * 200_000 + b",y\n",
    "a NUL byte": b"id,owner\n\x00,y\n",
    "a time without an offset": None,
    "a negative sequence": None,
    "an unknown time zone": None,
    "a folder": "folder",
    "a named pipe": "fifo",
}


def _edited_plan(reference: Path, name: str) -> bytes:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((reference / "plan.csv").read_text())))
    row = rows[0]
    if name == "a negative sequence":
        row["sequence"] = "-5"
    else:  # a call this run does not plan: its cancellation reads the time and zone
        row["id"] = f"gone-{row['id']}"
        if name == "a time without an offset":
            row["start"] = row["start"][:19]
        else:
            row["timezone"] = "../../etc/passwd"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize("name", HOSTILE_PLANS.keys())
def test_a_hostile_previous_plan_is_one_error_line(tmp_path: Path, victim: Path, name: str) -> None:
    reference = tmp_path / "reference"
    assert generate(reference)[0] == 0
    previous = tmp_path / "previous"
    content = HOSTILE_PLANS[name]
    previous.mkdir()
    _plant(previous / "plan.csv", _edited_plan(reference, name) if content is None else content,
           victim)  # fmt: skip
    code, _, stderr = untouched(
        victim, lambda: generate(tmp_path / "out", "--previous", str(previous))
    )
    assert code == 2, stderr
    one_error(stderr, str(previous / "plan.csv"))


def test_an_out_folder_named_through_a_link_is_the_users_choice(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real", target_is_directory=True)
    code, _, stderr = generate(tmp_path / "out")
    assert code == 0, stderr
    assert (tmp_path / "real/plan.csv").is_file()


@pytest.fixture
def without_at_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder checked with `lstat`, as on a system without openat (Windows)."""
    import outreach.output.confined

    monkeypatch.setattr(outreach.output.confined, "_AT", False)


@pytest.mark.usefixtures("without_at_calls")
def test_without_at_calls_the_same_files_are_written_and_links_refused(
    tmp_path: Path, victim: Path
) -> None:
    reference = tmp_path / "reference"
    assert generate(reference)[0] == 0
    out = tmp_path / "out"
    (out / "scripts").mkdir(parents=True)
    (out / "scripts" / next((reference / "scripts").iterdir()).name).symlink_to(victim)

    code, _, stderr = untouched(victim, lambda: generate(out))
    assert code == 2
    one_error(stderr, "symbolic link")
    shutil.rmtree(out)
    assert generate(out)[0] == 0
    assert snapshot(out).keys() == {
        k.replace(str(reference), str(out)) for k in snapshot(reference)
    }
    assert (out / "plan.csv").read_bytes() == (reference / "plan.csv").read_bytes()


def test_campaign_refuses_a_linked_subfolder_too(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "calendars").symlink_to(victim, target_is_directory=True)
    command = ["campaign", str(EXAMPLE), "--quarter", "2027Q2", "--out", str(out),
               "--config", str(SETTINGS), "--now", NOW]  # fmt: skip
    code, _, stderr = untouched(victim, lambda: invoke(*command))
    assert code == 2
    one_error(stderr, str(out / "calendars"), "symbolic link")


def test_manifest_entries_through_a_link_are_ignored_with_a_warning(
    tmp_path: Path, victim: Path
) -> None:
    out = tmp_path / "out"
    assert generate(out)[0] == 0
    (out / "notes").symlink_to(victim / "notes.txt")  # a link to a file: not a folder to refuse
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["notes/old.md"] = None
    (out / MANIFEST).write_text(json.dumps(manifest))

    code, _, stderr = untouched(victim, lambda: generate(out, "--force"))
    assert code == 0, stderr
    [warning] = warnings(stderr)
    assert str(out / MANIFEST) in warning and '"notes/old.md"' in warning
    assert (out / "notes").is_symlink()
