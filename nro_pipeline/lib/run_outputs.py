"""What a run writes from its marts once they are built — the BI snapshot, every school's page (one
per school for all the years the warehouse holds, only the changed ones rewritten), each year's
HTML report with its municipality pages and each year's XLSX workbook — as independent tasks
written side by side (`reports.workers`), each on a read-only connection of its own.

It stands above both `publish` (the snapshot) and `reports` (sites and workbooks), so neither of
them has to import the other's writers: `reports` reads what `publish` records, never the reverse.

The workers take the tasks in order, so the longest start first and the short ones fill the gaps
beside them: the workbooks (a national one is the longest single task), the school pages, the
years' reports; the snapshot first when it copies every table (as long as a workbook), last when
it starts from the previous one (seconds); what each takes: bench/README.md, «Where the time
goes». The school pages are one task per worker, each for a share of the schools (by a hash of the
code) written into one folder, which is swapped in once they all end: a run adding a year rewrites
every school's page, the longest output of all.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nro_pipeline import settings
from nro_pipeline.lib.publish.snapshot import can_update_from, write_snapshot
from nro_pipeline.lib.reports.html_report import (
    ReportError,
    environment,
    preview_markdown,
    write_report,
)
from nro_pipeline.lib.reports.school_site import (
    SCHOOLS,
    SchoolPagesWritten,
    finish_school_pages,
    start_school_pages,
    write_school_shard,
)
from nro_pipeline.lib.reports.sheets import LIST_SHEET
from nro_pipeline.lib.reports.warehouse import years_with_marts
from nro_pipeline.lib.reports.workers import map_in_workers
from nro_pipeline.lib.reports.xlsx_export import default_output_path, export_from_connection

SNAPSHOT, SITE, WORKBOOK = "snapshot", "site", "workbook"
SCHOOL_PAGES = "school_pages"  # written with the sites, for every year of the warehouse


@dataclass(frozen=True)
class OutputPlaces:
    read_from: Path  # the file the run built: its working copy, or the warehouse
    warehouse: str  # the warehouse as messages name it
    snapshot: Path | None  # where the BI snapshot is written (staged); None: not asked for
    snapshot_now: Path | None  # the snapshot BI tools read now: the staged one starts from it
    reports: Path  # where the sites go (a run's staging folder)
    reports_now: Path  # the reports folder officials see: its unchanged school pages are linked
    exports: Path  # where the workbooks go


@dataclass(frozen=True)
class Task:
    kind: str
    year: int | None = None  # None: the snapshot and the school pages (every year)
    shard: int = 0  # school pages: the share of the schools this task writes
    shards: int = 1


@dataclass(frozen=True)
class Written:
    kind: str
    year: int | None  # None: the snapshot and the school pages (every year)
    path: Path  # the snapshot, the site's index.html, the school pages' folder or the workbook
    schools_listed: int = 0
    pairs_matched: int | None = None  # sites only
    preview: str = ""  # sites only: the first rows of the list in Markdown
    tables: dict[str, int] = field(default_factory=dict)  # the snapshot only: rows per table
    pages: SchoolPagesWritten | None = None  # school pages only: written / unchanged


def write_output(places: OutputPlaces, task: Task) -> Written:
    kind, year = task.kind, task.year
    if kind == SNAPSHOT:
        assert places.snapshot is not None
        rows = write_snapshot(places.read_from, places.snapshot, previous=places.snapshot_now)
        return Written(kind, None, places.snapshot, tables=rows)
    config = settings.duckdb_config()
    with duckdb.connect(str(places.read_from), read_only=True, config=config) as con:
        if kind == SCHOOL_PAGES:
            if not years_with_marts(con):
                raise ReportError(f"no marts in {places.warehouse}: run `nro run` first")
            now = places.reports_now / SCHOOLS
            env = environment()
            pages = write_school_shard(con, places.reports, env, now, task.shard, task.shards)
            return Written(kind, None, pages.folder, pages=pages)
        assert year is not None
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
    """Every workbook, the school pages (with the sites, split in a share per worker), every
    site, and the snapshot, first or last (each if asked); raises the first ReportError /
    ExportError met."""
    snapshot = [Task(SNAPSHOT)] if SNAPSHOT in kinds else []
    # the published snapshot's header is read only when the run writes a snapshot
    short = bool(snapshot) and can_update_from(places.snapshot_now)
    first, last = ([], snapshot) if short else (snapshot, [])
    shards = max(1, workers)
    partial = start_school_pages(places.reports) if SITE in kinds else None
    tasks = [
        *first,
        *(Task(WORKBOOK, year) for year in years if WORKBOOK in kinds),
        *(Task(SCHOOL_PAGES, None, shard, shards) for shard in range(shards) if partial),
        *(Task(SITE, year) for year in years if SITE in kinds),
        *last,
    ]
    try:
        written = map_in_workers(functools.partial(write_output, places), tasks, workers)
    except BaseException:
        if partial is not None:  # nothing half-written may be committed with the staging folder
            shutil.rmtree(partial, ignore_errors=True)
        raise
    parts = [w.pages for w in written if w.pages is not None]
    if not parts:
        return written
    pages = finish_school_pages(places.reports, parts)
    return [w for w in written if w.kind != SCHOOL_PAGES] + [
        Written(SCHOOL_PAGES, None, pages.folder, pages=pages)
    ]
