from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from outreach.errors import OutputError
from outreach.output.folder import MANIFEST, SCRATCH, output_folder
from outreach.output.lock import LOCK
from outreach.output.naming import slug


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jürgen Weiß", "jurgen-weiss"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("CON", "con-"),
        ("nul", "nul-"),
        ("a\0b", "a-b"),
        ("株式会社", "unnamed"),
        ("Łukasz Søren", "lukasz-soren"),
        ("x" * 300, "x" * 40),
    ],
)
def test_slugs_are_safe_and_bounded(text: str, expected: str) -> None:
    assert slug(text) == expected


def write_run(root: Path, files: dict[str, bytes], force: bool = False) -> list[str]:
    with output_folder(root, force) as folder:
        folder.claim(files)
        for name, data in files.items():
            folder.write(name, data)
        return folder.finish()


def test_a_run_writes_files_and_a_manifest_and_releases_the_lock(tmp_path: Path) -> None:
    write_run(tmp_path / "out", {"a/b.md": b"one", "plan.csv": b"two"})
    assert (tmp_path / "out/a/b.md").read_bytes() == b"one"
    assert (tmp_path / "out" / MANIFEST).exists()
    assert not (tmp_path / "out" / LOCK).exists()
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_a_rerun_replaces_its_own_files_and_removes_stale_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"scripts/old.md": b"old", "plan.csv": b"1"})
    stale = write_run(out, {"scripts/new.md": b"new", "plan.csv": b"2"})
    assert stale == ["scripts/old.md"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MANIFEST, "plan.csv", "scripts/new.md",
    ]  # fmt: skip


def test_a_folder_with_foreign_files_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(notes\.txt\).*--force"):
        write_run(out, {"plan.csv": b"1"})
    write_run(out, {"plan.csv": b"1"}, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    write_run(out, {"plan.csv": b"2"}, force=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_force_never_replaces_a_file_the_tool_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.csv").write_text("mine")
    with pytest.raises(
        OutputError, match=r"will not replace files outreach did not write: plan\.csv"
    ):
        write_run(out, {"plan.csv": b"1"}, force=True)
    assert (out / "plan.csv").read_text() == "mine"


def test_an_edited_file_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"scripts/a.md": b"generated"})
    (out / "scripts/a.md").write_text("my notes from the call")
    with pytest.raises(OutputError, match=r"scripts/a\.md changed since outreach wrote it"):
        write_run(out, {"scripts/a.md": b"generated again"})
    assert (out / "scripts/a.md").read_text() == "my notes from the call"
    write_run(out, {"scripts/a.md": b"generated again"}, force=True)
    assert (out / "scripts/a.md").read_bytes() == b"generated again"


def test_a_second_run_is_locked_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_folder(out) as first:
        first.claim(["plan.csv"])
        with pytest.raises(OutputError, match="another outreach run"), output_folder(out):
            pass
    assert not (out / LOCK).exists()


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    (out / LOCK).write_text(f"{pid}\n")
    write_run(out, {"plan.csv": b"1"})
    assert (out / "plan.csv").exists()


def test_a_run_interrupted_after_claiming_can_be_rerun(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_folder(out) as folder:
        folder.claim(["a.md", "b.md"])
        folder.write("a.md", b"half")  # the run dies here: no finish
    write_run(out, {"a.md": b"A", "b.md": b"B"})
    assert (out / "a.md").read_bytes() == b"A"


def test_files_journaled_by_a_killed_run_are_its_own_for_the_rerun(tmp_path: Path) -> None:
    """A worker names a rep's files in the journal before writing them; the run dies before
    any manifest lists them. The rerun takes them for outreach's: it neither refuses the
    folder nor keeps the ones it no longer writes."""
    out = tmp_path / "out"
    with output_folder(out) as folder:
        folder.claim(["plan.csv"])
        folder.journal(["scripts/rep/a.md", "scripts/rep/b.md"])
        folder.write("scripts/rep/a.md", b"A")  # the run dies here: b.md never written
    stale = write_run(out, {"scripts/rep/b.md": b"B", "plan.csv": b"1"})
    assert stale == ["scripts/rep/a.md"]
    assert not (out / "scripts/rep/a.md").exists()
    assert (out / "scripts/rep/b.md").read_bytes() == b"B"


def test_a_journal_never_lets_a_forced_run_replace_a_users_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "scripts").mkdir(parents=True)
    (out / "scripts/mine.md").write_text("my notes")
    with output_folder(out, force=True) as folder:
        folder.claim(["plan.csv"])
        with pytest.raises(OutputError, match=r"will not replace .*scripts/mine\.md"):
            folder.journal(["scripts/mine.md"])
    assert (out / "scripts/mine.md").read_text() == "my notes"


def test_digests_set_aside_by_workers_make_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_folder(out) as folder:
        folder.claim(["plan.csv"])
        folder.journal(["b.md", "a.md"])
        folder.write("b.md", b"B")
        folder.write("a.md", b"A")
        folder.take_part(folder.set_aside("0"))  # as a worker's part reaches the parent
        folder.write("plan.csv", b"1")
        assert folder.finish() == []
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert list(files) == ["a.md", "b.md", "plan.csv"]
    assert files["a.md"] == hashlib.sha256(b"A").hexdigest()
    assert not (out / SCRATCH).exists()


def test_a_killed_runs_temporaries_are_removed_and_a_users_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"scripts/a.md": b"A", "plan.csv": b"1"})
    (out / "scripts/.a.md.99999.tmp").write_bytes(b"half")  # a killed run's
    (out / f".{MANIFEST}.99999.tmp").write_bytes(b"{")
    (out / ".mine.1.tmp").write_bytes(b"not outreach's")  # no file outreach writes
    write_run(out, {"scripts/a.md": b"A", "plan.csv": b"1"}, force=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".mine.1.tmp", MANIFEST, "plan.csv", "scripts/a.md",
    ]  # fmt: skip


def test_a_file_ending_in_tmp_is_a_users_file_like_any_other(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "draft.tmp").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(draft\.tmp\)"):
        write_run(out, {"plan.csv": b"1"})


def test_a_run_killed_after_replacing_earlier_files_is_not_taken_for_an_edit(
    tmp_path: Path,
) -> None:
    """The rerun finds the new content under a name whose old digest the manifest held."""
    out = tmp_path / "out"
    write_run(out, {"a.md": b"old A", "b.md": b"old B"})
    with output_folder(out) as folder:
        folder.claim(["a.md", "b.md"])
        folder.write("a.md", b"new A")  # the run dies here: b.md still old, no finish
    write_run(out, {"a.md": b"new A", "b.md": b"new B"})
    assert (out / "b.md").read_bytes() == b"new B"


def test_the_lock_names_its_holder_and_goes_with_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_folder(out):
        assert (out / LOCK).read_text() == f"{os.getpid()}\n"
    assert not (out / LOCK).exists()


def test_many_manifest_parts_are_merged_a_few_files_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outreach.output.folder

    monkeypatch.setattr(outreach.output.folder, "_MERGE_AT_ONCE", 3)  # a part per rep; say 10 reps
    out = tmp_path / "out"
    with output_folder(out) as folder:
        folder.claim(["plan.csv"])
        for rep in range(10):
            folder.write(f"scripts/r{rep}/b.md", b"B")
            folder.write(f"scripts/r{rep}/a.md", b"A")
            folder.take_part(folder.set_aside(str(rep)))
        folder.write("plan.csv", b"1")
        folder.finish()
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert list(files) == sorted(files) and len(files) == 21
