"""LibreOffice and poppler, as a person would print: headless conversion to PDF, then the
PDF's pages (size, text) and a PNG of the first page kept for a reviewer's eyes.

Where LibreOffice is not installed the rendering tests skip and say why; CI installs it and
sets ``RECTIFY_TESTS_NEED_LIBREOFFICE``, so there a missing LibreOffice fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

NEED_LIBREOFFICE = "RECTIFY_TESTS_NEED_LIBREOFFICE"
TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdftoppm")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "rendering"
A4 = (595.3, 841.9)
"""Portrait width and height in points."""
_PAGE_SIZE = re.compile(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts")


def office_or_skip() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed: the rendering tests need LibreOffice" \
                 " (libreoffice-calc, libreoffice-writer) and poppler-utils"
        if os.environ.get(NEED_LIBREOFFICE):
            pytest.fail(f"{reason}, and {NEED_LIBREOFFICE} says this run must render")
        pytest.skip(reason)


@dataclass(frozen=True)
class Pdf:
    path: Path

    @property
    def sizes(self) -> list[tuple[float, float]]:
        """Each page's width and height in points."""
        info = _run("pdfinfo", "-f", "1", "-l", "9999", str(self.path))
        return [(float(w), float(h)) for w, h in _PAGE_SIZE.findall(info)]

    def text(self, page: int) -> str:
        """The page's text without white space (the PDF's spacing follows the layout)."""
        return "".join(_run("pdftotext", "-f", str(page), "-l", str(page), str(self.path),
                            "-").split())

    def keep_first_page(self, name: str) -> Path:
        """The first page as a PNG under test-artifacts/rendering/, for review."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        _run("pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", "-singlefile", str(self.path),
             str(ARTIFACTS / name))
        return ARTIFACTS / f"{name}.png"


def to_pdf(document: Path, work: Path) -> Pdf:
    """``document`` printed to PDF by LibreOffice, in a profile of its own (so that
    conversions running at the same time do not share, and lock, one user profile)."""
    profile = work / "libreoffice-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(work), str(document)],
        capture_output=True, text=True, timeout=300, check=False)
    pdf = work / f"{document.stem}.pdf"
    assert done.returncode == 0, f"soffice failed: {done.stdout}{done.stderr}"
    assert pdf.exists(), f"soffice wrote no PDF: {done.stdout}{done.stderr}"
    return Pdf(pdf)


def is_a4(size: tuple[float, float], landscape: bool) -> bool:
    width, height = size
    expected = (A4[1], A4[0]) if landscape else A4
    return abs(width - expected[0]) < 1 and abs(height - expected[1]) < 1


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          check=True).stdout
