"""A run killed while it held the warehouse pool does not block the runs after it (issue 11: a run
killed at any point leaves nothing behind; the next run completes)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from nro_pipeline.defs.instance import open_instance
from nro_pipeline.defs.resources import WAREHOUSE_TAG, WarehouseResource, release_runs_that_died
from nro_pipeline.settings import WAREHOUSE_POOL


@dg.asset(pool=WAREHOUSE_POOL)
def needs_the_pool(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        con.execute("create or replace table t as select 1 as one")


def _started_run(instance: dg.DagsterInstance, run_id: str, warehouse: Path) -> dg.DagsterRun:
    """A run as a killed process leaves it: started, tagged with its warehouse, holding a slot."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="annual_refresh",
            run_id=run_id,
            status=dg.DagsterRunStatus.STARTED,
            tags={WAREHOUSE_TAG: str(warehouse.resolve())},
        )
    )
    claim = instance.event_log_storage.claim_concurrency_slot(WAREHOUSE_POOL, run_id, "raw")
    assert claim.is_claimed
    return run


def test_the_next_run_frees_the_slot_of_a_run_that_died(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NRO_DATA_DIR", str(tmp_path / "data"))
    instance = open_instance()
    instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)  # the pool's only slot
    warehouse = tmp_path / "nro.duckdb"
    dead = _started_run(instance, "dead-run", warehouse)

    result = dg.materialize(
        [needs_the_pool],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=instance,
    )

    assert result.success
    assert instance.event_log_storage.get_concurrency_run_ids() == set()
    after = instance.get_run_by_id(dead.run_id)
    assert after is not None and after.status == dg.DagsterRunStatus.FAILURE


def test_a_run_of_another_warehouse_keeps_its_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One instance may serve two warehouses: holding this one's lock says nothing of the other."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    instance = open_instance()
    instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 2)
    other = _started_run(instance, "other-warehouse-run", tmp_path / "other" / "nro.duckdb")

    release_runs_that_died(instance, "this-run", str((tmp_path / "nro.duckdb").resolve()), None)

    assert instance.event_log_storage.get_concurrency_run_ids() == {other.run_id}
    after = instance.get_run_by_id(other.run_id)
    assert after is not None and after.status == dg.DagsterRunStatus.STARTED
