"""A run's outputs for officials — each year's HTML site and XLSX workbook — as independent tasks
written side by side (`workers.map_in_workers`), each on a read-only connection of its own.

Sites go first: a national site takes longer than its workbook, so two workers finish together.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nro_pipeline import settings
from nro_pipeline.lib.reports.html_report import preview_markdown, write_report
from nro_pipeline.lib.reports.sheets import LIST_SHEET
from nro_pipeline.lib.reports.workers import map_in_workers
from nro_pipeline.lib.reports.xlsx_export import default_output_path, export_from_connection

SITE, WORKBOOK = "site", "workbook"


@dataclass(frozen=True)
class OutputPlaces:
    read_from: Path  # the file the run built: its working copy, or the warehouse
    warehouse: str  # the warehouse as messages name it
    reports: Path  # where the sites go (a run's staging folder)
    exports: Path  # where the workbooks go


@dataclass(frozen=True)
class Written:
    kind: str
    year: int
    path: Path  # the site's index.html, or the workbook
    schools_listed: int
    pairs_matched: int | None = None  # sites only
    preview: str = ""  # sites only: the first rows of the list in Markdown


def write_output(places: OutputPlaces, task: tuple[str, int]) -> Written:
    kind, year = task
    config = settings.duckdb_config()
    with duckdb.connect(str(places.read_from), read_only=True, config=config) as con:
        if kind == SITE:
            path, data = write_report(con, year, places.reports, places.warehouse)
            listed, pairs = data.schools_listed, data.pairs_matched
            return Written(kind, year, path, listed, pairs, preview_markdown(data))
        out = places.exports / default_output_path(year).name
        summary = export_from_connection(con, year, out, places.warehouse)
        return Written(kind, year, summary.path, summary.rows_per_sheet[LIST_SHEET.title])


def write_outputs(
    places: OutputPlaces, kinds: list[str], years: list[int], workers: int
) -> list[Written]:
    """Every (kind, year), sites first; raises the first ReportError / ExportError met."""
    tasks = [(kind, year) for kind in (SITE, WORKBOOK) if kind in kinds for year in years]
    return map_in_workers(functools.partial(write_output, places), tasks, workers)
