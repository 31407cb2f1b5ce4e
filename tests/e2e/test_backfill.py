"""A backfill of several years in one run yields the same marts as a run of a single year; that
run, on a warehouse named by `--landing L --warehouse W` alone, writes everything beside W and
leaves the project's default data folder as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nro_pipeline import settings
from tests.support.marts import MARTS, mart_rows, spoil
from tests.support.run import RunResult

OUTCOME_HORIZON = 2  # mart_list_outcomes: school_id, entry_year, horizon, …


def test_multi_year_backfill_equals_a_single_year_run(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    """region_run built 2020–2024 in one run (one dbt build); rebuilding 2024, the September run,
    in a run of its own must give the same rows and leave the other years as they were. It starts
    from a copy whose 2024 rows are gone — as before 2024 arrived — so a run that writes nothing
    fails here. The run is started as a user with no NRO_* variable set starts it, the paths given
    as options: everything it writes goes beside that warehouse."""
    default_data = settings.PROJECT_ROOT / "data"
    data_before = _files_of(default_data)
    together, result = region_run
    assert result.returncode == 0, result.output
    assert "[2020–2024] dbt build" in result.output  # one dbt build for all years
    one_by_one = tmp_path / "one_by_one.duckdb"
    shutil.copy(together, one_by_one)
    spoil(one_by_one, (2024,))
    assert all(mart_rows(one_by_one, mart) != mart_rows(together, mart) for mart in MARTS)
    outcomes_before = mart_rows(one_by_one, "mart_list_outcomes")

    result = _run_with_options("--years", "2024", landing=planted_region, warehouse=one_by_one)

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
    assert _files_of(default_data) == data_before
    # (GX Data Docs are written only for a file that breaks a rule: the region's files do not)
    for output in ("published", "reports", "exports", "archive", "dagster_home", "dbt_target"):
        assert (tmp_path / output).exists(), output


def _run_with_options(*args: str, landing: Path, warehouse: Path) -> RunResult:
    """`nro run … --landing L --warehouse W` with no NRO_* variable nor DAGSTER_HOME set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NRO_", "DAGSTER_HOME"))}
    paths = ["--landing", str(landing), "--warehouse", str(warehouse)]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("nro")), "run", *args, *paths],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return RunResult(done.returncode, done.stdout + done.stderr)


def _files_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
