from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _away_from_the_example_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test outside the repository, so its example outreach.toml is read only where
    a test names it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
