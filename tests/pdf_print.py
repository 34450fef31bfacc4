"""Printing HTML to PDF with headless Chromium and reading it back with poppler, for the PDF
tests (test_print_pdf, test_report_pdf).

Without Chromium or poppler-utils a test is skipped, visibly; it fails instead when
DRAAIBOEK_REQUIRE_BROWSER=1 or DRAAIBOEK_REQUIRE_POSTGRES=1 (CI, which installs both through
.ci/postgres.sh).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRED = "1" in (
    os.environ.get("DRAAIBOEK_REQUIRE_BROWSER"),
    os.environ.get("DRAAIBOEK_REQUIRE_POSTGRES"),
)


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    why = f"{names[0]} is not installed (apt-get install {_PACKAGE[names[0]]})"
    if REQUIRED:
        pytest.fail(f"{why}, and DRAAIBOEK_REQUIRE_BROWSER/POSTGRES=1 requires the PDF tests")
    pytest.skip(why)


_PACKAGE = {"chromium": "chromium", "pdfinfo": "poppler-utils", "pdftotext": "poppler-utils"}


class Pdf:
    """A PDF printed by Chromium, and its pages' text as poppler reads it."""

    def __init__(self, html: str, folder: Path) -> None:
        chromium = _tool("chromium", "chromium-browser")
        pdfinfo, self.pdftotext = _tool("pdfinfo"), _tool("pdftotext")  # poppler-utils
        source, self.path = folder / "page.html", folder / "page.pdf"
        source.write_text(html, encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={folder / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={self.path}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        info = subprocess.run(
            [pdfinfo, str(self.path)], check=True, capture_output=True, text=True
        ).stdout
        found = re.search(r"^Pages:\s+(\d+)", info, re.M)
        assert found, info
        self.count = int(found.group(1))
        # One pdftotext for all pages: it ends each page with a form feed.
        text = subprocess.run(
            [self.pdftotext, str(self.path), "-"], check=True, capture_output=True, text=True
        ).stdout
        self.pages = [" ".join(page.split()) for page in text.split("\f")[: self.count]]
        assert len(self.pages) == self.count
