"""Reading the warehouse for the officials' outputs: read-only, with plain errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb


class ExportError(Exception):
    """The export cannot be made (no warehouse, no marts for the year); the message says why."""


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse without write access; a missing file is a plain error, not a new DB."""
    if not warehouse.is_file():
        raise ExportError(f"no warehouse at {warehouse}: run `nro run` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        # DuckDB admits no reader while another process writes: most likely a run in progress.
        message = f"cannot open {warehouse} read-only (is a run writing to it?): {error}"
        raise ExportError(message) from None


def years_with_marts(con: duckdb.DuckDBPyConnection) -> list[int]:
    try:
        rows = con.execute("select distinct year from marts.mart_low_results order by 1").fetchall()
    except duckdb.CatalogException:
        return []  # the marts were never built in this file
    return [int(year) for (year,) in rows]


def require_year(con: duckdb.DuckDBPyConnection, year: int, warehouse: Path | str) -> None:
    years = years_with_marts(con)
    if year in years:
        return
    built = f"marts exist for {span(years)}" if years else "no marts have been built yet"
    raise ExportError(
        f"no marts for {year} in {warehouse} ({built}); run `nro run --years {year}` first"
    )


def span(years: Sequence[int]) -> str:
    contiguous = list(years) == list(range(years[0], years[-1] + 1))
    return (
        f"{years[0]}–{years[-1]}" if contiguous and len(years) > 1 else ", ".join(map(str, years))
    )
