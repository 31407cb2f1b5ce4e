"""A backfill of two years in one run yields the same marts as two single-year runs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import nro, query
from tests.test_end_to_end import MARTS


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


def test_two_year_backfill_equals_two_single_year_runs(
    planted_region: Path, tmp_path: Path
) -> None:
    together, one_by_one = tmp_path / "together.duckdb", tmp_path / "one_by_one.duckdb"
    result = nro("run", "--years", "2023,2024", landing=planted_region, warehouse=together)
    assert result.returncode == 0, result.output
    assert "[2023–2024] dbt build" in result.output  # one dbt build for both years
    for year in ("2023", "2024"):
        result = nro("run", "--years", year, landing=planted_region, warehouse=one_by_one)
        assert result.returncode == 0, result.output
    for mart in MARTS:
        rows = _mart_rows(together, mart)
        assert rows, mart
        assert rows == _mart_rows(one_by_one, mart), mart
