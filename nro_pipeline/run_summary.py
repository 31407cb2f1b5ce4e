"""Figures for the end of `nro run`, read from the marts (read-only, after the run)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def list_counts(warehouse: Path, years: list[int]) -> dict[int, int]:
    """Schools on the initial list per year."""
    if not years or not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            rows = con.execute(
                "SELECT year, count(*) FILTER (WHERE on_initial_list) FROM marts.mart_low_results "
                "WHERE year IN (SELECT unnest(?)) GROUP BY year",
                [years],
            ).fetchall()
        except duckdb.CatalogException:
            return {}
    return {int(year): int(count) for year, count in rows}
