"""What a run writes from its marts once they are built — the BI snapshot, each year's HTML site
and XLSX workbook — as independent tasks written side by side (`reports.workers`), each on a
read-only connection of its own.

It stands above both `publish` (the snapshot) and `reports` (sites and workbooks), so neither of
them has to import the other's writers: `reports` reads what `publish` records, never the reverse.

The snapshot goes first and the sites before the workbooks: the longest tasks start first, so the
short ones fill the gaps beside them (what each takes: bench/README.md, «Where the time goes»).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nro_pipeline import settings
from nro_pipeline.lib.publish.snapshot import write_snapshot
from nro_pipeline.lib.reports.html_report import preview_markdown, write_report
from nro_pipeline.lib.reports.sheets import LIST_SHEET
from nro_pipeline.lib.reports.workers import map_in_workers
from nro_pipeline.lib.reports.xlsx_export import default_output_path, export_from_connection

SNAPSHOT, SITE, WORKBOOK = "snapshot", "site", "workbook"


@dataclass(frozen=True)
class OutputPlaces:
    read_from: Path  # the file the run built: its working copy, or the warehouse
    warehouse: str  # the warehouse as messages name it
    snapshot: Path | None  # where the BI snapshot is written (staged); None: not asked for
    reports: Path  # where the sites go (a run's staging folder)
    exports: Path  # where the workbooks go


@dataclass(frozen=True)
class Written:
    kind: str
    year: int | None  # None: the snapshot (every year)
    path: Path  # the snapshot, the site's index.html or the workbook
    schools_listed: int = 0
    pairs_matched: int | None = None  # sites only
    preview: str = ""  # sites only: the first rows of the list in Markdown
    tables: dict[str, int] = field(default_factory=dict)  # the snapshot only: rows per table


def write_output(places: OutputPlaces, task: tuple[str, int | None]) -> Written:
    kind, year = task
    if kind == SNAPSHOT:
        assert places.snapshot is not None
        rows = write_snapshot(places.read_from, places.snapshot)
        return Written(kind, None, places.snapshot, tables=rows)
    assert year is not None
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
    """The snapshot (if asked), then every (site or workbook, year); raises the first
    ReportError / ExportError met."""
    tasks: list[tuple[str, int | None]] = [(SNAPSHOT, None)] if SNAPSHOT in kinds else []
    tasks += [(kind, year) for kind in (SITE, WORKBOOK) if kind in kinds for year in years]
    return map_in_workers(functools.partial(write_output, places), tasks, workers)
