from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _away_from_the_example_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test outside the repository, so its example outreach.toml is read only where
    a test names it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(autouse=True)
def _bugs_fail_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a command run in-process reaches the test as its exception, as it did before
    bugs exited 70: the suite's checks that nothing but SystemExit escapes keep catching
    them. Tests of the bug report a person sees ask for `bug_reports`."""
    if "bug_reports" in request.fixturenames:
        return
    import outreach.cli.group

    def surface(ctx: object, error: Exception) -> None:
        raise error

    monkeypatch.setattr(outreach.cli.group, "_bug", surface)


@pytest.fixture
def bug_reports() -> None:
    """Bugs in in-process runs are reported as a person sees them: one line, exit 70."""
