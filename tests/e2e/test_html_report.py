"""The yearly HTML report, loaded in a real headless Chromium: no errors, charts drawn, Russian text;
one page per school for all its years, every link resolving, rewritten only when it changed.

Chromium is the Debian package `chromium` (`.ci/run` installs it). Outside CI a machine without it
skips the browser tests; in CI (`CI` set) its absence is a failure. The screenshots are kept under
`test-artifacts/` (gitignored) for a human to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.outputs.report_specs import HTML_REPORT_KEY, HTML_REPORT_MARTS
from nro_pipeline.lib.reports.charts import history_chart, share_chart
from nro_pipeline.lib.reports.formatting import fmt_share
from nro_pipeline.lib.reports.html_report import ReportData
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS
from nro_pipeline.lib.reports.report_data import LIST_HTML_HEADERS, page_name
from nro_pipeline.lib.reports.school_site import MANIFEST
from nro_pipeline.lib.reports.sheets import BENCHMARK, SIGNALS
from tests.support.chromium import PageVisit, find_chromium, visit
from tests.support.reports import report_years
from tests.support.run import REGION_YEARS, RunResult, materialize_output, query

defs = load_definitions()

YEAR = 2024
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# What the tests read from the rendered page (JavaScript run in the page after it loaded).
PAGE_EXPRESSIONS = {
    "title": "document.title",
    "h1": "document.querySelector('h1').textContent",
    "lang": "document.documentElement.lang",
    "scripts": "document.scripts.length",
    "foreign_resources": (
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith('file:') && !n.startsWith('data:'))"
    ),
    "bars": "document.querySelectorAll('#share-chart rect.bar').length",
    "current_bars": "document.querySelectorAll('#share-chart rect.bar.current').length",
    "bars_drawn": (
        "[...document.querySelectorAll('#share-chart rect.bar')]"
        ".every(b => b.getBoundingClientRect().height > 0)"
    ),
    "bar_years": (
        "[...document.querySelectorAll('#share-chart text')].map(t => t.textContent)"
        ".filter(t => /^\\d{4}$/.test(t))"
    ),
    "points": "document.querySelectorAll('#scatter circle.point').length",
    "points_by_cluster": (
        "[...document.querySelectorAll('#scatter circle.point')]"
        ".reduce((n, c) => (n[c.dataset.cluster] = (n[c.dataset.cluster] || 0) + 1, n), {})"
    ),
    "listed_points": "document.querySelectorAll('#scatter circle.point.listed').length",
    "points_inside": (
        "(() => { const box = document.querySelector('#scatter').getBoundingClientRect();"
        " return [...document.querySelectorAll('#scatter circle.point')].every(c => {"
        " const r = c.getBoundingClientRect(); return r.width > 0 && r.left >= box.left"
        " && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom; }); })()"
    ),
    "scatter_width": "document.querySelector('#scatter').getBoundingClientRect().width",
    "list_ids": (
        "[...document.querySelectorAll('#school-list tbody tr')].map(r => r.cells[0].textContent)"
    ),
    "partner_rows": "document.querySelectorAll('#partners tbody tr').length",
    "cohort_rows": "document.querySelectorAll('#cohorts tbody tr').length",
    "text": "document.body.innerText",
    "map_ids": "[...document.querySelectorAll('#map circle.school')].map(c => c.dataset.id)",
    "map_listed": "document.querySelectorAll('#map circle.school.listed').length",
    "map_pairs": "document.querySelectorAll('#map line.pair').length",
    "partner_cells": (
        "[...document.querySelectorAll('#partners tbody tr')].map(r => [...r.cells]"
        ".map(c => c.textContent))"
    ),
    "list_links": (
        "[...document.querySelectorAll('#school-list tbody tr a')].map(a => a.getAttribute('href'))"
    ),
    "municipality_rows": "document.querySelectorAll('#municipalities tbody tr').length",
    "list_cells": (
        "[...document.querySelectorAll('#school-list tbody tr')].map(r => [...r.cells]"
        ".map(c => c.textContent))"
    ),
    "watch_ids": (
        "[...document.querySelectorAll('#watch-list tbody tr')].map(r => r.cells[0].textContent)"
    ),
    "publication": "document.querySelector('#publication').textContent",
    "change_rows": "document.querySelectorAll('#list-changes tbody tr').length",
    "parameters_note": "document.querySelector('#parameters-note').textContent",
}
SCHOOL_EXPRESSIONS = {
    "h1": "document.querySelector('h1').textContent",
    # label → the newest year's value (the first column after the label)
    "facts": "Object.fromEntries([...document.querySelectorAll('#facts tbody tr:not(.group)')]"
    ".map(r => [r.cells[0].textContent, r.cells[1].textContent]))",
    "fact_years": "[...document.querySelectorAll('#facts thead th a')].map(a => a.textContent)",
    "listed_cells": "[...[...document.querySelectorAll('#facts tbody tr')]"
    ".find(r => r.cells[0].textContent === 'В списке ШНОР').cells].slice(1)"
    ".map(c => [c.textContent, c.colSpan])",
    "result_years": "[...document.querySelectorAll('#results thead th')].slice(1)"
    ".map(t => t.textContent)",
    "chart_labels": "[...document.querySelectorAll('#success-chart .school text')]"
    ".map(t => t.textContent)",
    "chart_years": "[...document.querySelectorAll('#success-chart > text')]"
    ".map(t => t.textContent).filter(t => /^\\d{4}$/.test(t))",
    "rules": "[...document.querySelectorAll('#rules li')].map(li => li.textContent)",
    "summary": "document.querySelector('#summary').textContent.replace(/\\s+/g, ' ').trim()",
    "result_rows": "document.querySelectorAll('#results tbody tr').length",
    "similar": "[...document.querySelectorAll('#similar li a')].map(a => a.getAttribute('href'))",
    "partner": "document.querySelector('#partner').innerText",
    "foreign_resources": PAGE_EXPRESSIONS["foreign_resources"],
}


def _chromium() -> str:
    chromium = find_chromium()
    if chromium:
        return chromium
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI: .ci/run installs the Debian package `chromium`")
    pytest.skip("no Chromium here (apt-get install -y chromium); CI runs these tests")


@pytest.fixture(scope="module")
def report(
    region_run: tuple[Path, RunResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ReportData]:
    warehouse, run = region_run
    assert run.returncode == 0, run.output
    written = report_years(warehouse, REGION_YEARS, tmp_path_factory.mktemp("reports"))
    return written[REGION_YEARS.index(YEAR)]


@pytest.fixture(scope="module")
def page(report: tuple[Path, ReportData]) -> PageVisit:
    path, _ = report
    chromium = _chromium()
    shutil.copytree(path.parent.parent, ARTIFACTS / "html_reports", dirs_exist_ok=True)
    return visit(
        path.as_uri(),
        chromium=chromium,
        expressions=PAGE_EXPRESSIONS,
        screenshots={
            ARTIFACTS / f"html_report_{YEAR}.png": (0, 2000),
            ARTIFACTS / f"html_report_{YEAR}_full.png": None,
        },
    )


def _labels(warehouse: Path, domain: str) -> dict[str, str]:
    return dict(
        query(
            warehouse,
            "select code, label_ru from marts.dim_code_labels where domain = ?",
            [domain],
        )
    )


def _signal_words(warehouse: Path, school_id: str) -> str:
    """The school's VPR objectivity signals in the words of dim_code_labels («нет»: none)."""
    [flags] = query(
        warehouse,
        f"select {', '.join(OBJECTIVITY_SIGNALS)} from marts.mart_vpr_objectivity "
        "where school_id = ? and year = ?",
        [school_id, YEAR],
    )
    words = _labels(warehouse, "objectivity_signal")
    raised = [words[name] for name, on in zip(OBJECTIVITY_SIGNALS, flags, strict=True) if on]
    return "; ".join(raised) or "нет"


def _count(warehouse: Path, sql: str) -> int:
    [(count,)] = query(warehouse, sql, [YEAR])
    return int(count)


def test_page_loads_without_console_errors(page: PageVisit) -> None:
    assert page.errors == []
    assert page.values["scripts"] == 0  # static page: nothing to fail at runtime
    assert page.values["foreign_resources"] == []  # nothing from the network
    assert (ARTIFACTS / f"html_report_{YEAR}.png").stat().st_size > 10_000


def test_title_and_text_are_russian(page: PageVisit) -> None:
    assert page.values["lang"] == "ru"
    assert (
        page.values["title"]
        == f"ШНОР {YEAR}: отчёт о школах с низкими образовательными результатами"
    )
    assert "Школы с низкими образовательными результатами (ШНОР): 2024 год" in page.values["h1"]
    for heading in ("Основные показатели", "Список ШНОР", "Школы-партнёры", "Динамика когорт ВПР"):
        assert heading in page.values["text"]


def test_share_chart_has_a_bar_per_year(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    years = [
        str(y) for (y,) in query(warehouse, "select year from marts.mart_indicators order by 1")
    ]
    assert page.values["bars"] == len(years) == 5
    assert page.values["bar_years"] == years
    assert page.values["current_bars"] == 1
    assert page.values["bars_drawn"] is True


def test_scatter_has_a_point_per_school(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    rows = query(
        warehouse,
        "select cluster, count(*) from marts.mart_school_clusters "
        "where year = ? and isbsh is not null and result_index is not null group by 1",
        [YEAR],
    )
    assert page.values["points_by_cluster"] == dict(rows)
    assert page.values["points"] == sum(n for _, n in rows) > 30
    assert page.values["points_inside"] is True
    assert page.values["scatter_width"] > 400
    listed_with_point = _count(
        warehouse,
        "select count(*) from marts.mart_school_clusters c join marts.mart_low_results s "
        "using (school_id, year) where year = ? and s.on_initial_list "
        "and c.isbsh is not null and c.result_index is not null",
    )
    assert page.values["listed_points"] == listed_with_point


def test_tables_hold_the_list_and_the_pairs(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    listed = query(
        warehouse,
        "select school_id from marts.mart_low_results where year = ? and on_initial_list",
        [YEAR],
    )
    assert sorted(page.values["list_ids"]) == sorted(r[0] for r in listed)
    assert {"T_C1", "T_C2"} <= set(page.values["list_ids"])
    pairs = _count(warehouse, "select count(*) from marts.mart_partner_matches where year = ?")
    assert page.values["partner_rows"] == pairs
    assert page.values["cohort_rows"] >= 2  # per subject and step, plus the total
    assert "Планшкола критерия 1" in page.values["text"]


def test_console_errors_would_be_caught(tmp_path: Path) -> None:
    """The check above is not vacuous: the same visit reports script errors and failed loads."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<html><body><script>console.error("boom"); missingFunction();</script>'
        '<img src="missing.png"></body></html>',
        encoding="utf-8",
    )
    errors = visit(broken.as_uri(), chromium=_chromium()).errors
    assert any("boom" in e for e in errors)
    assert any("missingFunction" in e for e in errors)
    assert any("missing.png" in e for e in errors)


def test_history_chart_geometry() -> None:
    """A school's line: a gap where a year has no share, labels kept off the group's line."""
    chart = history_chart([(2022, 0.9, 0.8), (2023, None, 0.85), (2024, 0.7, 0.9)])
    school, group = chart.lines
    assert [p.label for p in school.points] == ["90,0 %", "70,0 %"]
    assert school.segments == [] and len(group.segments) == 1  # 2023 breaks the school's line
    first, last = school.points
    assert first.label_y < first.y and last.label_y > last.y  # above, or below the group's line
    assert chart.y_ticks[0].label == "60 %" and chart.y_ticks[-1].label == "100 %"
    assert chart.y_ticks[-1].position == chart.top and chart.y_ticks[0].position == chart.bottom


def test_share_chart_geometry() -> None:
    chart = share_chart([(2023, 10, 100), (2024, 5, 100)], 2024)
    first, second = chart.bars
    assert first.height == pytest.approx(2 * second.height, abs=0.2)
    assert first.y + first.height == pytest.approx(chart.bottom)
    assert (first.label, second.current, first.current) == ("10,0 %", True, False)


def test_report_asset_is_wired_to_the_marts() -> None:
    graph = defs.resolve_asset_graph()
    node = graph.get(HTML_REPORT_KEY)
    marts = {dg.AssetKey(["marts", name]) for name in HTML_REPORT_MARTS}
    assert set(node.parent_keys) == marts
    decision = ("mart_school_benchmark", "mart_vpr_objectivity", "mart_similar_schools")
    assert {dg.AssetKey(["marts", name]) for name in (*decision, "dim_code_labels")} <= marts
    assert all(graph.get(key).is_materializable for key in marts)
    assert node.group_name == "reports" and not node.pools
    assert node.partitions_def.name == "results_year"


def test_html_report_asset(
    region_run: tuple[Path, RunResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, _ = region_run
    monkeypatch.setenv("NRO_REPORTS_DIR", str(tmp_path))
    metadata = _materialize_site(warehouse)
    assert metadata["path"] == str(tmp_path / "2024" / "index.html")
    assert metadata["pages"] == {"2024": str(tmp_path / "2024" / "index.html")}
    schools = _count(
        warehouse, "select count(distinct school_id) from marts.mart_low_results where year <= ?"
    )
    assert metadata["school_pages"] == str(tmp_path / "schools")
    assert (metadata["school_pages_written"], metadata["school_pages_unchanged"]) == (
        schools,
        0,
    )
    listed = _count(
        warehouse,
        "select count(*) from marts.mart_low_results where year = ? and on_initial_list",
    )
    assert metadata["schools_on_list"] == {"2024": listed}
    assert "| Код ОО | Наименование ОО | Муниципалитет |" in metadata["preview"]
    assert "T_C1" in metadata["preview"]


def test_map_has_a_mark_per_school_with_coordinates(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    placed = query(
        warehouse,
        "select school_id from staging.stg_schools where year = ? "
        "and latitude is not null and longitude is not null",
        [YEAR],
    )
    assert sorted(page.values["map_ids"]) == sorted(r[0] for r in placed)
    listed_placed = _count(
        warehouse,
        "select count(*) from staging.stg_schools g join marts.mart_low_results s "
        "using (school_id, year) where year = ? and s.on_initial_list and g.latitude is not null "
        "and g.longitude is not null",
    )
    assert page.values["map_listed"] == listed_placed
    pairs_placed = _count(
        warehouse,
        "select count(*) from marts.mart_partner_matches p "
        "join staging.stg_schools a on a.school_id = p.school_id and a.year = p.year "
        "join staging.stg_schools b on b.school_id = p.partner_id and b.year = p.year "
        "where p.year = ? and a.latitude is not null and b.latitude is not null",
    )
    assert page.values["map_pairs"] == pairs_placed


def test_partner_table_has_code_municipality_and_assumed_distances(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    rows = query(
        warehouse,
        "select p.partner_id, ps.municipality, "
        "m.latitude is null or pc.latitude is null as assumed "
        "from marts.mart_partner_matches p "
        "join marts.mart_low_results ps on ps.school_id = p.partner_id and ps.year = p.year "
        "join staging.stg_schools m on m.school_id = p.school_id and m.year = p.year "
        "join staging.stg_schools pc on pc.school_id = p.partner_id and pc.year = p.year "
        "where p.year = ?",
        [YEAR],
    )
    cells = page.values["partner_cells"]
    for partner_id, municipality, assumed in rows:
        [row] = [r for r in cells if r[2] == partner_id]
        assert row[4] == municipality
        assert ("условно" in row[6]) == assumed
    assert page.values["municipality_rows"] >= 2  # the planted municipality and the total


def test_every_listed_school_has_a_page(
    page: PageVisit, report: tuple[Path, ReportData], region_run: tuple[Path, RunResult]
) -> None:
    path, _ = report
    warehouse, _ = region_run
    listed = query(
        warehouse,
        "select school_id from marts.mart_low_results where year = ? and on_initial_list",
        [YEAR],
    )
    assert sorted(page.values["list_links"]) == sorted(
        f"../schools/{page_name(school_id)}" for (school_id,) in listed
    )
    for (school_id,) in listed:
        assert (path.parent.parent / "schools" / page_name(school_id)).is_file()
    assert not (path.parent / "schools").exists()  # no page per school and year any more


HREF = re.compile(r'href="([^"]*)"')


def test_every_link_of_the_site_resolves(
    report: tuple[Path, ReportData], region_run: tuple[Path, RunResult]
) -> None:
    """Every link of every page written — each year's index and municipality pages, each school's
    page — points to a file that exists (indexes go `../schools/`, municipalities
    `../../schools/`, school pages back to `../<year>/index.html`)."""
    path, _ = report
    site = path.parent.parent
    pages = sorted(site.rglob("*.html"))
    followed: dict[str, int] = {}
    for page_path in pages:
        for href in HREF.findall(page_path.read_text(encoding="utf-8")):
            if href.startswith(("data:", "#")):
                continue
            assert "://" not in href, (page_path, href)  # nothing from the network
            target = (page_path.parent / href.split("#")[0]).resolve()
            assert target.is_file(), f"{page_path.relative_to(site)} links {href}: no such file"
            followed[page_path.parent.name] = followed.get(page_path.parent.name, 0) + 1
    # the indexes and municipality pages link the schools; school pages link years and schools
    assert followed[str(YEAR)] > 40 and followed["municipalities"] >= 47
    assert followed["schools"] >= 47 * len(REGION_YEARS)
    warehouse, _ = region_run
    every = query(warehouse, "select distinct school_id from marts.mart_low_results")
    assert sorted(p.name for p in (site / "schools").glob("*.html")) == sorted(
        page_name(school_id) for (school_id,) in every
    )
    index = path.read_text(encoding="utf-8")
    municipalities = [m.read_text(encoding="utf-8") for m in path.parent.glob("municipalities/*")]
    assert 'href="../schools/T_C1.html"' in index
    assert sum('href="../../schools/T_C1.html"' in m for m in municipalities) == 1
    t_c1 = (site / "schools" / "T_C1.html").read_text(encoding="utf-8")
    assert all(f'href="../{y}/index.html"' in t_c1 for y in REGION_YEARS)


def test_school_page_in_the_browser(
    report: tuple[Path, ReportData], region_run: tuple[Path, RunResult]
) -> None:
    path, _ = report
    warehouse, _ = region_run
    schools = path.parent.parent / "schools"
    school = visit(
        (schools / page_name("T_C1")).as_uri(),
        chromium=_chromium(),
        expressions=SCHOOL_EXPRESSIONS,
        screenshots={ARTIFACTS / "html_school_T_C1.png": None},
    )
    assert school.errors == [] and school.values["foreign_resources"] == []
    assert school.values["h1"] == "Планшкола критерия 1"
    # Every year of the warehouse, newest first (tests/support/planted_schools.py: T_C1 is low
    # only in 2024 — VPR math 5 at 3 / 10 and EGE rus at 3 / 10 below the minimum).
    newest_first = [str(y) for y in reversed(REGION_YEARS)]
    assert school.values["fact_years"] == newest_first == school.values["result_years"]
    assert school.values["listed_cells"] == [["да", 1], ["нет", len(REGION_YEARS) - 1]]
    assert school.values["summary"] == "В списке ШНОР в 2024 году."
    assert [rule[:16] for rule in school.values["rules"]] == ["2024: Критерий 1"]
    # Its success share: 2020–2023 (10 − 1) + (10 − 2) + (10 − 1) of 30 = 86,7 %; 2024
    # (10 − 3) + (10 − 2) + (10 − 3) of 30 = 73,3 %; drawn oldest first.
    assert school.values["chart_years"] == [str(y) for y in REGION_YEARS]
    assert school.values["chart_labels"] == ["86,7 %"] * 4 + ["73,3 %"]
    facts = school.values["facts"]  # the newest year's column
    [(status, years)] = query(
        warehouse,
        "select list_status, years_on_list from marts.mart_low_results "
        "where school_id = 'T_C1' and year = ?",
        [YEAR],
    )
    assert facts["В списке ШНОР"] == "да" and facts["Лет в списке подряд"] == str(years) == "1"
    assert facts["Движение в списке"] == _labels(warehouse, "list_status")[status]
    [(level, percentile, size)] = query(
        warehouse,
        "select benchmark_level, group_percentile, group_size from marts.mart_school_benchmark "
        "where school_id = 'T_C1' and year = ?",
        [YEAR],
    )
    assert facts["Сравнение с похожими школами"] == _labels(warehouse, "benchmark_level")[level]
    assert facts["Процентиль среди похожих школ"] == fmt_share(percentile)
    assert facts["Школ в группе сравнения"] == str(size) and size > 5
    assert facts["Сигналы необъективности ВПР"] == _signal_words(warehouse, "T_C1")
    assert facts["Доля успешных результатов: школа / группа сравнения"].startswith("73,3 % / ")
    nearest = query(
        warehouse,
        "select similar_school_id from marts.mart_similar_schools "
        "where school_id = 'T_C1' and year = ? and rank <= 5 order by rank",
        [YEAR],
    )
    assert school.values["similar"] == [page_name(similar) for (similar,) in nearest]
    assert len(nearest) == 5
    assert all((schools / page_name(s)).is_file() for (s,) in nearest)
    assert school.values["partner"].startswith("2024: ")
    procedures = _count(
        warehouse,
        "select count(distinct procedure_id) from marts.fct_procedure_results "
        "where school_id = 'T_C1' and in_selection and year <= ?",
    )
    assert school.values["result_rows"] == procedures
    left = visit(
        (schools / page_name("T_LEFT")).as_uri(),
        chromium=_chromium(),
        expressions=SCHOOL_EXPRESSIONS,
    )
    # T_LEFT: on the list in 2023 only (criterion 1), off it in 2024
    assert left.values["listed_cells"] == [["нет", 1], ["да", 1], ["нет", 3]]
    assert left.values["summary"] == "В списке ШНОР в 2023 году."
    municipality = visit(
        (path.parent / "municipalities" / "001.html").as_uri(),
        chromium=_chromium(),
        screenshots={ARTIFACTS / f"html_municipality_{YEAR}.png": None},
    )
    assert municipality.errors == []


def _materialize_site(warehouse: Path) -> dict[str, object]:
    return materialize_output(warehouse, HTML_REPORT_KEY, YEAR)


def _pages(folder: Path) -> dict[str, tuple[int, int]]:
    """Each page of the folder: its inode and mtime (a hard-linked, unchanged page keeps both)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.html")}


def test_a_run_rewrites_only_the_school_pages_that_changed(
    region_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, warehouse = region_copy
    reports = tmp_path / "reports"
    monkeypatch.setenv("NRO_REPORTS_DIR", str(reports))
    [(schools,)] = query(warehouse, "select count(distinct school_id) from marts.mart_low_results")
    first = _materialize_site(warehouse)
    assert (first["school_pages_written"], first["school_pages_unchanged"]) == (schools, 0)
    before = _pages(reports / "schools")
    assert len(before) == schools

    again = _materialize_site(warehouse)  # the same year, nothing changed
    assert (again["school_pages_written"], again["school_pages_unchanged"]) == (0, schools)
    assert again["school_pages"] == str(reports / "schools")
    assert _pages(reports / "schools") == before  # not one page written again

    # One more participant in T_SMALL's VPR math 5 of 2024 (4 → 5): only its own page shows it.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.fct_procedure_results set participants = participants + 1 "
            "where school_id = 'T_SMALL' and year = 2024 and exam = 'VPR' and subject = 'math'"
        )
    changed = _materialize_site(warehouse)
    assert (changed["school_pages_written"], changed["school_pages_unchanged"]) == (1, schools - 1)
    after = _pages(reports / "schools")
    assert {name for name in before if after[name] != before[name]} == {"T_SMALL.html"}
    assert json.loads((reports / "schools" / MANIFEST).read_text(encoding="utf-8")).keys() == {
        name.removesuffix(".html") for name in after
    }
    assert "n\u00a0=\u00a05" in (reports / "schools" / "T_SMALL.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in reports.iterdir()) == [str(YEAR), "schools"]  # nothing staged


def test_list_shows_benchmark_and_objectivity_in_words(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    levels = dict(
        query(
            warehouse,
            "select school_id, benchmark_level from marts.mart_school_benchmark where year = ?",
            [YEAR],
        )
    )
    words = _labels(warehouse, "benchmark_level")
    benchmark, signals = LIST_HTML_HEADERS.index(BENCHMARK), LIST_HTML_HEADERS.index(SIGNALS)
    cells = page.values["list_cells"]
    assert cells
    for row in cells:
        school_id = row[0]
        assert row[benchmark] == (words[levels[school_id]] if levels[school_id] else "")
        assert row[signals] == _signal_words(warehouse, school_id), school_id


def test_watch_list_and_the_publication_note(
    page: PageVisit, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    watched = query(
        warehouse,
        "select s.school_id from marts.mart_low_results s "
        "join marts.mart_vpr_objectivity o on o.school_id = s.school_id and o.year = s.year "
        "where s.year = ? and not s.on_initial_list "
        "and (s.list_confidence = 'near_miss' or o.objectivity_doubtful)",
        [YEAR],
    )
    assert sorted(page.values["watch_ids"]) == sorted(r[0] for r in watched)
    assert page.values["publication"] == (
        f"Список {YEAR} года не публиковался (nro publish --year {YEAR}): "
        "сравнивать текущий расчёт не с чем."
    )
    assert page.values["change_rows"] == 0
    assert page.values["parameters_note"] == (
        f"Значения параметров — те, с которыми построены витрины {YEAR} года "
        "(marts.year_parameters)."
    )


def test_support_outcomes_section_and_the_school_page(
    report: tuple[Path, ReportData], region_run: tuple[Path, RunResult]
) -> None:
    """«Результаты поддержки» (docs/methodology.md): the effect drawn and tabled, one sentence on
    what it is compared with; the list's support stage; a school's page shows its outcome rows."""
    path, data = report
    warehouse, _ = region_run
    html = path.read_text(encoding="utf-8")
    [(effects,)] = query(
        warehouse,
        "select count(*) from marts.mart_programme_effect "
        "where entry_year is null or entry_year + horizon <= ?",
        [YEAR],
    )
    assert effects > 0 and len(data.support.table.rows) == effects
    assert html.count('<g class="effect"') == effects and 'id="effect-table"' in html
    assert "того же стартового уровня, которые не были в списке" in data.support.comparison_note
    stage = LIST_HTML_HEADERS.index("Этап поддержки")
    words = _labels(warehouse, "support_stage")
    assert {row[stage] for row in data.school_list.rows} <= {words["listed"], words["escalate"]}
    # T_LEFT (tests/support/planted_schools.py): entered in 2023 at 12 / 20, 18 / 20 in 2024
    school = (path.parent.parent / "schools" / page_name("T_LEFT")).read_text(encoding="utf-8")
    assert words["left_unconfirmed"] in school
    assert "<td>2023</td><td>1</td><td>60,0 %</td><td>90,0 %</td><td>+30,0 п.п.</td>" in school
