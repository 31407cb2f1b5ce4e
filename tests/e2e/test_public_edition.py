"""`nro publish` writes the year's public edition — site, workbook and schema `public` in the BI
snapshot — and none of them shows a figure from a group under the threshold, or one that what is
shown gives away. Screenshots of a public school page go to `test-artifacts/public_edition/`."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pytest

from nro_pipeline.lib.reports.public_sheets import DISCLAIMER, SUPPRESSED
from tests.support.chromium import find_chromium, visit
from tests.support.disclosure import (
    Rules,
    figures_of_small_groups,
    pinned_outside_sums,
    recomputable_figures,
)
from tests.support.run import RunResult, nro

YEAR = 2024
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "public_edition"
REQUIRED_VIEWS = {
    "procedure_results",
    "low_results",
    "school_benchmark",
    "programme_effect",
    "schools",
}
# the figure cells of the results table (site and workbook), after the procedure's name
FIGURES = ("Участников", "Не справились", "Доля низких результатов", "Интервал: от", "Интервал: до")
CODES = {"< 5 %", "> 95 %"}


class _Tables(HTMLParser):
    """The text of every cell of the tables of a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = ""
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr":
            self.tables.setdefault(self._table, []).append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def published(
    planted_region: Path,
    region_run: tuple[Path, RunResult],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """A copy of the planted region's warehouse, its 2024 list published once for this module."""
    built, result = region_run
    assert result.returncode == 0, result.output
    folder = tmp_path_factory.mktemp("public_edition")
    warehouse = folder / "nro.duckdb"
    shutil.copy(built, warehouse)
    done = nro("publish", "--year", str(YEAR), landing=planted_region, warehouse=warehouse)
    assert done.returncode == 0, done.output
    assert "Public edition" in done.output, done.output
    return warehouse, warehouse.parent / "public"


@pytest.fixture(scope="module")
def truth(published: tuple[Path, Path]) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(school, procedure name) → (participants, low share), from the marts."""
    warehouse, _ = published
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select school_id, procedure_name, participants, low_share "
            "from marts.fct_procedure_results where year = ?",
            [YEAR],
        ).fetchall()
    return {(school, name): (n, share) for school, name, n, share in rows}


def _check_result_row(
    school: str, cells: list[str], truth: dict[tuple[str, str], tuple[int, float | None]]
) -> list[str]:
    """What is wrong with one results row (procedure name, then the five figures)."""
    participants, share = truth[(school, cells[0])]
    figures = dict(zip(FIGURES, cells[1:6], strict=True))
    if participants < 10:
        shown = {k: v for k, v in figures.items() if v != SUPPRESSED}
        return [f"{school} {cells[0]} ({participants} participants) shows {shown}"] if shown else []
    problems = []
    extreme = share is not None and (share < 0.05 or share > 0.95)
    if participants < 40 and extreme:
        if figures["Доля низких результатов"] not in CODES | {SUPPRESSED}:
            problems.append(f"{school} {cells[0]}: extreme share of {participants} shown as is")
        if figures["Не справились"] != SUPPRESSED:
            problems.append(f"{school} {cells[0]}: failed of a coded share shown")
    return problems


def test_the_site_shows_no_figure_of_a_small_group(
    published: tuple[Path, Path], truth: dict[tuple[str, str], tuple[int, float | None]]
) -> None:
    _, public = published
    site = public / str(YEAR)
    index = _page(site / "index.html")
    assert DISCLAIMER in "".join(index.text)
    pages = sorted((site / "schools").glob("*.html"))
    schools = {school for school, _ in truth}
    assert len(pages) == len(schools)
    problems, small_rows, coded = [], 0, 0
    for path in pages:
        page = _page(path)
        assert DISCLAIMER in "".join(page.text), path.name
        school = path.stem
        for cells in page.tables["results"][1:]:  # the header row first
            problems += _check_result_row(school, cells, truth)
            small_rows += truth[(school, cells[0])][0] < 10
            coded += cells[3] in CODES
    assert problems == []
    assert small_rows > 0 and coded > 0  # the region has both: the check checked something


def test_the_workbook_shows_no_figure_of_a_small_group(
    published: tuple[Path, Path], truth: dict[tuple[str, str], tuple[int, float | None]]
) -> None:
    _, public = published
    workbook = openpyxl.load_workbook(public / f"nro_public_{YEAR}.xlsx", read_only=True)
    for sheet in workbook.worksheets:
        note = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0]
        assert DISCLAIMER in note, sheet.title
    rows = list(workbook["Результаты процедур"].iter_rows(min_row=4, values_only=True))
    problems = []
    for row in rows:
        _, school, _, _, procedure, *figures = row[:11]
        cells = [procedure, *(_as_text(v) for v in figures[:5])]
        problems += _check_result_row(school, cells, truth)
    assert rows and problems == []
    # a shown figure stays a number in the workbook
    assert any(isinstance(row[5], int) for row in rows)


def _as_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value * 100:.1f} %"
    return "" if value is None else str(value)


def test_schema_public_of_the_snapshot_gives_nothing_away(published: tuple[Path, Path]) -> None:
    warehouse, _ = published
    snapshot = warehouse.with_name(f"{warehouse.stem}_published.duckdb")  # tests/support/run.py
    with duckdb.connect(str(snapshot), read_only=True) as con:
        views = {
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where schema_name = 'public'"
            ).fetchall()
        }
        assert views >= REQUIRED_VIEWS
        undescribed = con.execute(
            "select view_name from duckdb_views() where schema_name = 'public' and comment is null"
        ).fetchall()
        assert undescribed == []
        ids = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'public' "
            "and regexp_matches(column_name, 'participant_id|student|pupil')"
        ).fetchall()
        assert ids == []
        assert figures_of_small_groups(con, Rules().suppress_below) == []
        years = [r[0] for r in con.execute("select distinct year from public.schools").fetchall()]
        for year in years:
            assert recomputable_figures(con, year, Rules()) == [], year
            assert pinned_outside_sums(con, year, Rules()) == [], year
        reasons = con.execute("select reasons from public.low_results where reasons is not null")
        assert not [r for (r,) in reasons.fetchall() if re.search(r"\d ?%", r)]


def test_a_public_school_page_prints_the_notice(published: tuple[Path, Path]) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine (.ci/run installs it)")
    _, public = published
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = sorted((public / str(YEAR) / "schools").glob("T_SMALL*.html"))[0]
    shot = ARTIFACTS / "school_page.png"
    seen = visit(
        page.as_uri(),
        chromium=chromium,
        screenshots={shot: None},
        expressions={"notice": "document.querySelector('#notice').textContent"},
    )
    assert DISCLAIMER in seen.values["notice"]
    assert shot.stat().st_size > 10_000
