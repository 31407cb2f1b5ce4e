"""The workbook printed the way an official prints it: LibreOffice to PDF, pages to PNG.

LibreOffice (`libreoffice-calc`) and poppler (`pdftoppm`, `pdfinfo`, `pdftotext`) are Debian
packages that `.ci/run` installs; outside CI a machine without them skips. The PNG pages are kept
in `test-artifacts/xlsx_print/` for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nro_pipeline.lib.reports.xlsx_export import export_year
from tests.support.run import RunResult

YEAR = 2024
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "xlsx_print"
A4_POINTS = (595, 842)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            f"{name} is required in CI: .ci/run installs libreoffice-calc and poppler-utils"
        )
    pytest.skip(f"no {name} here (apt-get install -y libreoffice-calc poppler-utils)")


@pytest.fixture(scope="module")
def printed(region_run: tuple[Path, RunResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse, run = region_run
    assert run.returncode == 0, run.output
    soffice = _tool("soffice")
    folder = tmp_path_factory.mktemp("print")
    workbook = export_year(warehouse, YEAR, folder / f"nro_{YEAR}.xlsx").path
    profile = (folder / "profile").as_uri()  # a private profile: no first-run dialogs, no locks
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(workbook)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = folder / f"nro_{YEAR}.pdf"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    shutil.copy(pdf, ARTIFACTS / pdf.name)
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "70", str(pdf), str(ARTIFACTS / "page")],
        check=True,
        timeout=300,
    )
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_every_page_is_a4(printed: Path) -> None:
    info = subprocess.run(
        [_tool("pdfinfo"), "-f", "1", "-l", "999", str(printed)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) >= 9  # at least a page per sheet
    for width, height in sizes:
        assert sorted((round(float(width)), round(float(height)))) == list(A4_POINTS)
    assert len(list(ARTIFACTS.glob("page-*.png"))) == len(sizes)


def test_every_page_has_the_year_and_its_number(printed: Path) -> None:
    pages = _pages(printed)
    for number, page in enumerate(pages, start=1):
        assert f"ШНОР {YEAR} год" in page, number
        assert f"Страница {number} из {len(pages)}" in page, number
    # The header row is repeated on the pages a long sheet runs over.
    continued = [p for p in pages if "№ п/п" in p]
    assert len(continued) == len(pages)


def test_the_list_prints_with_its_title_and_schools(printed: Path) -> None:
    first = _pages(printed)[0]
    assert f"Список ШНОР — {YEAR} год (сформировано" in first
    assert "T_C1" in first and "Планшкола критерия 1" in first
