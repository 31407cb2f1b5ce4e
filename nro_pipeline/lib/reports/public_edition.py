"""The public edition of a year (`nro publish --year Y`): a site and a workbook written from
schema `public` only (lib/reports/public_sheets.py), each page and sheet opening with the notice.

What it hides and why: docs/methodology.md, «Публичная версия»; the rules are dbt's
(mart_disclosure_control and the views of schema public), never this module's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment

from nro_pipeline.lib.reports.public_sheets import (
    BENCHMARK_SHEET,
    EFFECT_SHEET,
    FACTS_SHEET,
    LIST_SHEET,
    PUBLIC_SCHEMA,
    RESULTS_SHEET,
    public_sheets,
)
from nro_pipeline.lib.reports.public_site_template import INDEX_TEMPLATE, SCHOOL_TEMPLATE
from nro_pipeline.lib.reports.report_tables import Table, data_table, page_name
from nro_pipeline.lib.reports.sheets import SheetData, fetch_sheet, subset
from nro_pipeline.lib.reports.warehouse import ExportError
from nro_pipeline.lib.reports.xlsx_export import write_workbook

SCHOOL_NAME = "Наименование ОО"
_SCHOOL_COLUMNS = 3  # code, name, municipality open every school sheet
# The index's list: what fits a laptop screen (the workbook has every column).
LIST_HTML_HEADERS = (
    "Код ОО",
    SCHOOL_NAME,
    "Муниципалитет",
    "В итоговом списке",
    "Причины включения в список",
    "Кластер",
    "Школа-партнёр",
)


@dataclass(frozen=True)
class PublicEdition:
    year: int
    site: Path  # the index page
    workbook: Path
    school_pages: int
    schools_listed: int  # on the preliminary or the final list


def workbook_path(folder: Path, year: int) -> Path:
    return folder / f"nro_public_{year}.xlsx"


def write_public_edition(
    con: duckdb.DuckDBPyConnection, year: int, folder: Path, generated: date | None = None
) -> PublicEdition:
    """The year's site (`folder/<year>/`) and workbook (`folder/nro_public_<year>.xlsx`)."""
    _require_public_views(con, year)
    day = generated or date.today()
    sheets = public_sheets(con, year)
    workbook = workbook_path(folder, year)
    write_workbook(sheets, year, workbook, day)
    site, pages = _write_site(con, year, folder / str(year), sheets[0].note, day)
    return PublicEdition(year, site, workbook, pages, len(sheets[0].rows))


def _require_public_views(con: duckdb.DuckDBPyConnection, year: int) -> None:
    views = con.execute(
        "select count(*) from duckdb_views() where database_name = current_database() "
        "and schema_name = ?",
        [PUBLIC_SCHEMA],
    ).fetchone()
    if not views or views[0] == 0:
        raise ExportError(
            f"the warehouse has no schema {PUBLIC_SCHEMA}: run `nro run --years {year}` with this "
            "version first (dbt builds the public views)."
        )


def _write_site(
    con: duckdb.DuckDBPyConnection, year: int, out: Path, line: str, day: date
) -> tuple[Path, int]:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    common = {"year": year, "generated": f"{day:%d.%m.%Y}", "notice": line}
    lists = data_table(fetch_sheet(con, subset(LIST_SHEET, LIST_HTML_HEADERS), year), SCHOOL_NAME)
    benchmark = fetch_sheet(con, BENCHMARK_SHEET, year)
    schools = data_table(benchmark, SCHOOL_NAME)
    compared = dict(zip((str(row[0]) for row in benchmark.rows), schools.rows, strict=True))
    effect = data_table(fetch_sheet(con, EFFECT_SHEET, year))
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(
        env.from_string(INDEX_TEMPLATE).render(
            lists=lists, schools=schools, effect=effect, **common
        ),
        encoding="utf-8",
    )
    facts = fetch_sheet(con, FACTS_SHEET, year)
    results = _by_school(fetch_sheet(con, RESULTS_SHEET, year))
    page = env.from_string(SCHOOL_TEMPLATE)
    (out / "schools").mkdir(exist_ok=True)
    headers = [c.header for c in facts.spec.columns]
    for row, texts in zip(facts.rows, data_table(facts).rows, strict=True):
        school_id, name, municipality = row[:_SCHOOL_COLUMNS]
        own = list(zip(headers[_SCHOOL_COLUMNS:], texts[_SCHOOL_COLUMNS:], strict=True))
        if str(school_id) in compared:
            own += list(
                zip(
                    schools.headers[_SCHOOL_COLUMNS:],
                    compared[str(school_id)][_SCHOOL_COLUMNS:],
                    strict=True,
                )
            )
        (out / "schools" / page_name(str(school_id))).write_text(
            page.render(
                school_id=school_id,
                name=name,
                municipality=municipality,
                facts=own,
                results=results.get(str(school_id), _no_results()),
                **common,
            ),
            encoding="utf-8",
        )
    return index, len(facts.rows)


def _by_school(data: SheetData) -> dict[str, Table]:
    """The results sheet split into one table per school, without the school's own columns."""
    table = data_table(data)
    headers = table.headers[_SCHOOL_COLUMNS:]
    rows: dict[str, list[list[str]]] = defaultdict(list)
    for row, texts in zip(data.rows, table.rows, strict=True):
        rows[str(row[0])].append(texts[_SCHOOL_COLUMNS:])
    return {school: Table(headers, school_rows) for school, school_rows in rows.items()}


def _no_results() -> Table:
    return Table([c.header for c in RESULTS_SHEET.columns[_SCHOOL_COLUMNS:]], [])
