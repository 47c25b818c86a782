"""The report and a day sheet as a person sees them: laid out and printed by headless Chromium
(tests/browser.py), on A4 and Letter, with no text spilling out of its cell, showing what
plan.csv and skipped.csv hold."""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.browser import (
    A4,
    LETTER,
    laid_out,
    pdf_pages,
    print_to_pdf,
    requires_chromium,
    with_page_size,
)
from tests.factories import EXAMPLE, SETTINGS, invoke

pytestmark = [requires_chromium, pytest.mark.slow]  # each Chromium start is a second or two

PRINTABLE_A4_WIDTH = 703
"""Pixels across an A4 page inside the sheets' 12 mm margins: the narrower of A4 and Letter."""
LANDSCAPE_WIDTH = 1031
"""The same across a landscape A4 page, as the report prints."""


def run(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    code, stdout, _ = invoke(*args, str(EXAMPLE), "--config", str(SETTINGS), "--out", str(out))
    assert code == 0, stdout
    return out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def text_of(dom: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)))


def test_the_busiest_day_sheet_prints_whole_calls_and_shows_the_plan(tmp_path: Path) -> None:
    out = run(tmp_path, "generate", "--start", "2027-03-08", "--now", "2027-03-01T12:00:00Z")
    planned = rows(out / "plan.csv")
    sheet_of = {
        row["id"]: path
        for path in (out / "sheets").rglob("*.html")
        for row in planned
        if row["id"] in path.read_text(encoding="utf-8")
    }
    assert len(sheet_of) == len(planned)
    sheet, calls = Counter(sheet_of.values()).most_common(1)[0]  # the rep-day with most calls
    assert calls >= 4

    dom, overflow = laid_out(sheet, PRINTABLE_A4_WIDTH, tmp_path / "laid-out.html")
    assert overflow == "overflow 0: "
    shown_ids = re.findall(r'<td class="id">([0-9a-f]{20})</td>', dom)
    expected = [row for row in planned if sheet_of[row["id"]] == sheet]
    assert shown_ids == [row["id"] for row in expected]  # in time order, as plan.csv
    page = text_of(dom)
    for row in expected:
        assert f"{row['contact_name']}, {row['company']}" in page
        assert row["phone"].removeprefix("'") in page

    for paper, size in (("A4", A4), ("letter", LETTER)):
        copy = with_page_size(sheet, paper, tmp_path / f"{paper}.html")
        pages = pdf_pages(print_to_pdf(copy, tmp_path / f"{paper}.pdf"))
        assert set(pages) == {size}
        # a call never splits: at most two calls a page, never a page more than the calls need
        assert (calls + 2) // 3 <= len(pages) <= (calls + 1) // 2, (paper, calls, len(pages))


def test_the_report_prints_on_landscape_pages_and_shows_the_plan(tmp_path: Path) -> None:
    campaign = run(tmp_path, "campaign", "--quarter", "2027Q1", "--now", "2026-12-20T00:00:00Z")
    report = campaign / "report.html"
    dom, overflow = laid_out(report, LANDSCAPE_WIDTH, tmp_path / "laid-out.html")
    assert overflow == "overflow 0: "
    page = text_of(dom)
    planned = rows(campaign / "plan.csv")
    assert f"{len(planned)} calls planned" in page
    for rep in {row["owner"] for row in planned}:
        assert rep in page
    for skip in rows(campaign / "skipped.csv"):  # every row is accounted for, whatever its kind
        assert skip["contact_name"] in page, skip

    pages = pdf_pages(print_to_pdf(report, tmp_path / "report.pdf"))  # on Chromium's Letter
    assert 1 <= len(pages) <= 6, len(pages)  # 14 rows: a few pages, not a ream
    assert set(pages) == {LETTER[::-1]}  # landscape, as its print style asks
