"""A backfill of several years in one run yields the same marts as a run of a single year."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.marts import MARTS, mart_rows, spoil
from tests.support.run import RunResult, nro

OUTCOME_HORIZON = 2  # mart_list_outcomes: school_id, entry_year, horizon, …


def test_multi_year_backfill_equals_a_single_year_run(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    """region_run built 2020–2024 in one run (one dbt build); rebuilding 2024, the September run,
    in a run of its own must give the same rows and leave the other years as they were. It starts
    from a copy whose 2024 rows are gone — as before 2024 arrived — so a run that writes nothing
    fails here."""
    together, result = region_run
    assert result.returncode == 0, result.output
    assert "[2020–2024] dbt build" in result.output  # one dbt build for all years
    one_by_one = tmp_path / "one_by_one.duckdb"
    shutil.copy(together, one_by_one)
    spoil(one_by_one, (2024,))
    assert all(mart_rows(one_by_one, mart) != mart_rows(together, mart) for mart in MARTS)
    outcomes_before = mart_rows(one_by_one, "mart_list_outcomes")

    result = nro("run", "--years", "2024", landing=planted_region, warehouse=one_by_one)

    assert result.returncode == 0, result.output
    assert "[2024] models: ok" in result.output  # built by a run of its own
    assert result.output.rstrip().endswith("nro run: 2024 refreshed.")
    for mart in MARTS:
        rows = mart_rows(together, mart)
        assert rows, mart
        assert rows == mart_rows(one_by_one, mart), mart
    # The new year adds the outcome rows followed up in it — earlier entries' later horizons
    # among them — and changes no earlier row.
    outcomes = mart_rows(one_by_one, "mart_list_outcomes")
    followed_in_2024 = [row for row in outcomes if row not in outcomes_before]
    assert [row for row in outcomes if row in outcomes_before] == outcomes_before
    assert {row[OUTCOME_HORIZON] for row in followed_in_2024} > {1}
