"""A run killed while it held the warehouse pool does not block the runs after it (issue 11: a run
killed at any point leaves nothing behind; the next run completes)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from nro_pipeline.defs.instance import open_instance
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.settings import WAREHOUSE_POOL


@dg.asset(pool=WAREHOUSE_POOL)
def needs_the_pool(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        con.execute("create or replace table t as select 1 as one")


def test_the_next_run_frees_the_slot_of_a_run_that_died(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NRO_DATA_DIR", str(tmp_path / "data"))
    instance = open_instance()
    instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
    dead = instance.add_run(
        dg.DagsterRun(
            job_name="annual_refresh", run_id="dead-run", status=dg.DagsterRunStatus.STARTED
        )
    )
    claim = instance.event_log_storage.claim_concurrency_slot(WAREHOUSE_POOL, dead.run_id, "raw")
    assert claim.is_claimed  # as the killed process left it: the pool's only slot

    result = dg.materialize(
        [needs_the_pool],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "nro.duckdb"))},
        instance=instance,
    )

    assert result.success
    assert instance.event_log_storage.get_concurrency_run_ids() == set()
    after = instance.get_run_by_id(dead.run_id)
    assert after is not None and after.status == dg.DagsterRunStatus.FAILURE
