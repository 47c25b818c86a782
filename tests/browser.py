"""Pages opened as a person opens them: in headless Chromium (Debian's `chromium` package,
which `.ci/run` installs where it can), printed to PDF, photographed, or laid out and read back.

Each start costs a second or two: a test opens a page once and checks all it can on it."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on the PATH: install Debian's chromium package "
    "(apt-get install --no-install-recommends chromium; .ci/run does it when it can)",
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--no-pdf-header-footer",
    "--virtual-time-budget=2000",
)
"""No network, no header or footer on printed pages, and the same picture every time."""

A4 = (595, 842)
LETTER = (612, 792)
"""Page sizes in PDF points."""

OVERFLOW_CHECK = """<script>
const cells = [...document.querySelectorAll("td, th, h1, h2, li, p")];
const over = cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1);
document.title = "overflow " + over.length + ": " +
  over.slice(0, 5).map((cell) => cell.textContent.trim().slice(0, 40)).join(" | ");
</script>"""
"""Added to a test-only copy of a page: layout done, the title says which cells' text is wider
than the cell (scrollWidth over clientWidth), for --dump-dom to read back."""


def chromium(*args: str) -> str:
    """Chromium run headless on `args` with a fresh profile; what it printed on stdout."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def print_to_pdf(page: Path, pdf: Path) -> bytes:
    chromium(f"--print-to-pdf={pdf}", page.as_uri())
    return pdf.read_bytes()


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    chromium(f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri())


def dump_dom(page: Path, width: int = 1000) -> str:
    """The page's DOM once laid out in a window `width` pixels wide."""
    return chromium("--dump-dom", f"--window-size={width},900", page.as_uri())


def laid_out(page: Path, width: int, copy: Path) -> tuple[str, str]:
    """The DOM of `page` laid out `width` pixels wide, and which of its cells' text overflows,
    as OVERFLOW_CHECK names them (`overflow 0: ` when none does)."""
    html = page.read_text(encoding="utf-8")
    copy.write_text(html.replace("</body>", OVERFLOW_CHECK + "</body>"), encoding="utf-8")
    dom = dump_dom(copy, width)
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None
    return dom, title.group(1)


def with_page_size(page: Path, size: str, copy: Path) -> Path:
    """A copy of `page` printed on `size` paper (`A4`, `letter`, `A4 landscape`)."""
    html = page.read_text(encoding="utf-8")
    style = f"<style>@page {{ size: {size}; }}</style></head>"
    copy.write_text(html.replace("</head>", style, 1), encoding="utf-8")
    return copy


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """The size of each page of a PDF, in points, read from its `/Type /Page` objects."""
    sizes = []
    for page in re.finditer(rb"/Type\s*/Page\b(?!s)", pdf):
        box = re.search(
            rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)",
            pdf[max(0, page.start() - 400) : page.end() + 400],
        )
        assert box is not None, "a page without a MediaBox near it"
        sizes.append((round(float(box.group(3))), round(float(box.group(4)))))
    return sizes
