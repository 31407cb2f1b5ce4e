"""Running the pipeline the way a user does, and reading what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

REGION_YEARS = [2020, 2021, 2022, 2023, 2024]


@dataclass(frozen=True)
class RunResult:
    returncode: int
    output: str


def user_env(landing: Path, warehouse: Path) -> dict[str, str]:
    """The environment of a user who set only the landing zone and the warehouse: no other NRO_*
    variable and no DAGSTER_HOME, so every other path takes its default beside the warehouse."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NRO_", "DAGSTER_HOME"))}
    return {**env, "NRO_LANDING_DIR": str(landing), "NRO_WAREHOUSE": str(warehouse)}


def nro(
    *args: str, landing: Path, warehouse: Path, extra_env: dict[str, str] | None = None
) -> RunResult:
    """Run the installed `nro` console script the way a user does."""
    env = {
        **os.environ,
        "NRO_LANDING_DIR": str(landing),
        "NRO_WAREHOUSE": str(warehouse),
        # Everything a run writes besides the warehouse goes beside it, never into data/.
        "NRO_ARCHIVE_DIR": str(warehouse.parent / "archive"),
        "NRO_PUBLISHED": str(warehouse.with_name(f"{warehouse.stem}_published.duckdb")),
        "NRO_REPORTS_DIR": str(warehouse.parent / "reports"),
        "NRO_EXPORTS_DIR": str(warehouse.parent / "exports"),
        "NRO_DBT_TARGET_DIR": str(warehouse.parent / "dbt_target"),
        "NRO_GX_DOCS_DIR": str(warehouse.parent / "gx_docs"),
    }
    env.pop("DAGSTER_HOME", None)
    env.update(extra_env or {})
    script = Path(sys.executable).with_name("nro")
    done = subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return RunResult(done.returncode, done.stdout + done.stderr)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@contextmanager
def instance_with_years(*years: int) -> Iterator[dg.DagsterInstance]:
    """A throwaway Dagster instance that knows these results-year partitions."""
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("results_year", [str(year) for year in years])
        yield instance


def materialize_output(warehouse: Path, key: dg.AssetKey, year: int) -> dict[str, object]:
    """One output asset of `year` as a run writes it (staged, committed at the run's end), from a
    warehouse already built; the metadata of its materialisation."""
    # imported here: the other helpers of this module stay free of the definitions
    from nro_pipeline.defs.outputs.assets import build_output_assets
    from nro_pipeline.defs.resources import WarehouseResource

    with instance_with_years(year) as instance:
        result = dg.materialize(
            [build_output_assets([])],  # no marts as deps: they are already built
            selection=[key],
            partition_key=str(year),
            resources={"warehouse": WarehouseResource(path=str(warehouse))},
            instance=instance,
        )
    assert result.success
    [event] = result.get_asset_materialization_events()
    return {name: value.value for name, value in event.materialization.metadata.items()}
