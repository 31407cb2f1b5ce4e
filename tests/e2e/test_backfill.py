"""A backfill of several years in one run yields the same marts as a run of a single year."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.marts import MARTS
from tests.support.run import RunResult, nro, query


def _mart_rows(warehouse: Path, mart: str) -> list[tuple]:
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
    return query(warehouse, f"SELECT {selected} FROM marts.{mart} ORDER BY ALL")


def test_multi_year_backfill_equals_a_single_year_run(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    """region_run built 2020–2024 in one run (one dbt build); rebuilding 2024, the September run,
    in a run of its own over a copy of it must give the same rows, and leave the other years as
    they were. (`test_rebuild` builds every year again; one year suffices here.)"""
    together, result = region_run
    assert result.returncode == 0, result.output
    assert "[2020–2024] dbt build" in result.output  # one dbt build for all years
    one_by_one = tmp_path / "one_by_one.duckdb"
    shutil.copy(together, one_by_one)
    result = nro("run", "--years", "2024", landing=planted_region, warehouse=one_by_one)
    assert result.returncode == 0, result.output
    assert "[2024] models: ok" in result.output  # built by a run of its own
    assert result.output.rstrip().endswith("nro run: 2024 refreshed.")
    for mart in MARTS:
        rows = _mart_rows(together, mart)
        assert rows, mart
        assert rows == _mart_rows(one_by_one, mart), mart
