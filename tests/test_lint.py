"""The linters and the type checker run with the tests, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff() -> None:
    for args in (
        ("ruff", "check", "outreach", "tests", "benchmarks", "docs"),
        ("ruff", "format", "--check", "outreach", "tests", "benchmarks", "docs"),
    ):
        result = run(*args)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # from a cold cache, as in CI, mypy takes ~15 s of CPU for outreach and tests
def test_mypy() -> None:
    result = run("mypy", "outreach", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_imports_run_one_way() -> None:
    """The layers in pyproject.toml's [tool.importlinter]: cli, then the application, then the
    stages in data-flow order, then the model; only the command line imports Click."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
