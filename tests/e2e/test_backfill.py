"""A backfill of several years in one run yields the same marts as single-year runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.marts import MARTS
from tests.support.run import RunResult, nro, query


def _mart_rows(warehouse: Path, mart: str) -> list[tuple]:
    year = "to_year" if mart == "mart_cohort_dynamics" else "year"
    columns = query(
        warehouse,
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
        [mart],
    )
    # Sums of floats may differ in the last bit with the order rows arrive in.
    selected = ", ".join(
        f"round({name}, 9)" if data_type == "DOUBLE" else name for name, data_type in columns
    )
    return query(
        warehouse, f"SELECT {selected} FROM marts.{mart} WHERE {year} IN (2023, 2024) ORDER BY ALL"
    )


def test_multi_year_backfill_equals_single_year_runs(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    """region_run built 2020–2024 in one run (one dbt build); rebuilding 2023, then 2024, in runs
    of their own over a copy of it must give the same rows."""
    together, result = region_run
    assert result.returncode == 0, result.output
    assert "[2020–2024] dbt build" in result.output  # one dbt build for all years
    one_by_one = tmp_path / "one_by_one.duckdb"
    shutil.copy(together, one_by_one)
    for year in ("2023", "2024"):
        result = nro("run", "--years", year, landing=planted_region, warehouse=one_by_one)
        assert result.returncode == 0, result.output
        assert f"[{year}] models: ok" in result.output  # built by a run of its own
    for mart in MARTS:
        rows = _mart_rows(together, mart)
        assert rows, mart
        assert rows == _mart_rows(one_by_one, mart), mart
