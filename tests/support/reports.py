"""Writing a year's HTML report straight from a warehouse file, as the report tests need it.

The product writes reports in its run's outputs step (`nro_pipeline.lib.run_outputs`, called by
the Dagster asset), from the file its run built; tests have only the warehouse file.
"""

from __future__ import annotations

from pathlib import Path

from nro_pipeline.lib.reports.html_report import ReportData, ReportError, write_report
from nro_pipeline.lib.reports.warehouse import ExportError, connect_read_only


def report_year(warehouse: Path, year: int, out_dir: Path) -> tuple[Path, ReportData]:
    """Open the warehouse read-only and write the year's report into `out_dir/<year>/`."""
    try:
        con = connect_read_only(warehouse)
    except ExportError as error:
        raise ReportError(str(error)) from None
    with con:
        return write_report(con, year, out_dir.resolve(), warehouse)
