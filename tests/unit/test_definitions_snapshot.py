"""A snapshot of the Dagster definitions, as dagster-open-platform keeps one (syrupy): every asset
(group, partitions), asset check (blocking or not), job (what it selects), schedule and sensor.

`test_definitions.py` asserts the properties that must hold; this test shows, as a diff in review,
anything that changed in what `nro dev` shows. When the change is intended, rewrite the snapshot
and commit it with the change:

    .venv/bin/python -m pytest tests/unit/test_definitions_snapshot.py --snapshot-update
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest
from syrupy.assertion import SnapshotAssertion

from nro_pipeline import settings
from nro_pipeline.definitions import build_definitions


def _check(key: dg.AssetCheckKey) -> str:
    return f"{key.asset_key.to_user_string()}:{key.name}"


def describe(defs: dg.Definitions) -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    return {
        "assets": {
            node.key.to_user_string(): {
                "group": node.group_name,
                "partitions": node.partitions_def.name if node.partitions_def else None,
                "materialised_by_nro": node.is_materializable,
            }
            for node in graph.asset_nodes
        },
        "asset_checks": {
            _check(key): {"blocking": graph.get_check_spec(key).blocking}
            for key in graph.asset_check_keys
        },
        "jobs": {
            job.name: {
                "partitions": job.partitions_def.name if job.partitions_def else None,
                "assets": sorted(key.to_user_string() for key in job.selection.resolve(graph)),
                "checks": sorted(_check(key) for key in job.selection.resolve_checks(graph)),
            }
            for job in defs.jobs
        },
        "schedules": {
            schedule.name: {
                "cron": schedule.cron_schedule,
                "timezone": schedule.execution_timezone,
                "job": schedule.job_name,
                "default_status": schedule.default_status.value,
            }
            for schedule in defs.schedules
        },
        "sensors": {
            sensor.name: {
                "default_status": sensor.default_status.value,
                "jobs": sorted(job.name for job in sensor.jobs) if sensor.has_jobs else [],
            }
            for sensor in defs.sensors
        },
    }


def test_definitions_match_the_snapshot(
    snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(settings.ANNUAL_CRON_ENV, raising=False)  # the snapshot holds the default
    assert describe(build_definitions()) == snapshot
