"""The pooled SQLite event log stores and reads back what Dagster's own does (instance/home.py
puts it into every instance home nro writes)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from nro_pipeline.instance.event_log_storage import PooledSqliteEventLogStorage
from nro_pipeline.instance.home import open_instance


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def counted_has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_runs_events_and_checks_go_through_the_pooled_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = open_instance(tmp_path / "home")
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)

    for _ in range(2):
        assert dg.materialize([counted, counted_has_rows], instance=instance).success

    assert (tmp_path / "home" / "history" / "runs" / "index.db").exists()
    materialization = instance.get_latest_materialization_event(counted.key)
    assert materialization is not None
    assert materialization.asset_materialization.metadata["rows"].value == 3
    history = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(counted.key, "counted_has_rows"), limit=10
    )
    assert len(history) == 2

    run_id = instance.get_runs(limit=1)[0].run_id
    instance.delete_run(run_id)
    assert instance.get_records_for_run(run_id).records == []
