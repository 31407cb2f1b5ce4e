"""Writing HTML reports straight from a warehouse file, as the report tests need them.

The product writes reports in its run's outputs step (`nro_pipeline.lib.run_outputs`, called by
the Dagster asset), from the file its run built; tests have only the warehouse file.
"""

from __future__ import annotations

from pathlib import Path

from nro_pipeline.lib.reports.html_report import (
    ReportData,
    ReportError,
    environment,
    write_report,
)
from nro_pipeline.lib.reports.school_site import write_school_pages
from nro_pipeline.lib.reports.warehouse import ExportError, connect_read_only


def report_year(warehouse: Path, year: int, out_dir: Path) -> tuple[Path, ReportData]:
    """Write the year's report into `out_dir/<year>/` and every school's page into
    `out_dir/schools/`; returns the year's index page and what it shows."""
    [(path, data)] = report_years(warehouse, [year], out_dir)
    return path, data


def report_years(warehouse: Path, years: list[int], out_dir: Path) -> list[tuple[Path, ReportData]]:
    """As `report_year`, for several years (the school pages written once)."""
    try:
        con = connect_read_only(warehouse)
    except ExportError as error:
        raise ReportError(str(error)) from None
    with con:
        written = [write_report(con, year, out_dir.resolve(), warehouse) for year in years]
        write_school_pages(con, out_dir.resolve(), environment())
        return written
