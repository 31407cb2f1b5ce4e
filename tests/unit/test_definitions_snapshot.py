"""A snapshot of the Dagster definitions, as dagster-open-platform keeps one: every asset (group,
partitions), asset check, job (what it selects), schedule (cron) and sensor (default status).

`test_definitions.py` asserts the properties that must hold; this test shows, as a diff in review,
anything that changed in what `nro dev` shows. When the change is intended, rewrite the snapshot
and commit it with the change:

    NRO_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Iterable
from pathlib import Path

import dagster as dg
import pytest

from nro_pipeline import settings
from nro_pipeline.definitions import build_definitions

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.txt"
UPDATE_ENV = "NRO_UPDATE_SNAPSHOTS"
UPDATE_COMMAND = (
    f"{UPDATE_ENV}=1 .venv/bin/python -m pytest tests/unit/test_definitions_snapshot.py"
)


def _key(key: dg.AssetKey) -> str:
    return key.to_user_string()


def _check(key: dg.AssetCheckKey) -> str:
    return f"{_key(key.asset_key)}:{key.name}"


def _selection(kind: str, chosen: Collection[str], every: Collection[str]) -> Iterable[str]:
    """What a job selects, said the short way: all, all but a few (−), or the few (+)."""
    left_out = sorted(set(every) - set(chosen))
    if not left_out:
        yield f"  {kind}: all {len(every)}"
    elif len(left_out) < len(chosen):
        yield f"  {kind}: all {len(every)} but {len(left_out)}"
        yield from (f"    - {name}" for name in left_out)
    else:
        yield f"  {kind}: {len(chosen)}"
        yield from (f"    + {name}" for name in sorted(chosen))


def _assets(graph: dg.AssetGraph) -> Iterable[str]:
    yield "# assets: key  group  partitions  (external: not materialised by nro)"
    for node in sorted(graph.asset_nodes, key=lambda node: node.key):
        partitions = node.partitions_def.name if node.partitions_def else "-"
        external = "" if node.is_materializable else "  external"
        yield f"{_key(node.key)}  {node.group_name}  {partitions}{external}"


def _checks(graph: dg.AssetGraph) -> Iterable[str]:
    yield "# asset checks: asset:check  (blocking: a failure stops what is downstream)"
    for key in sorted(graph.asset_check_keys, key=_check):
        blocking = "  blocking" if graph.get_check_spec(key).blocking else ""
        yield f"{_check(key)}{blocking}"


def _jobs(defs: dg.Definitions) -> Iterable[str]:
    graph = defs.resolve_asset_graph()
    every_asset = [_key(node.key) for node in graph.asset_nodes if node.is_materializable]
    every_check = [_check(key) for key in graph.asset_check_keys]
    yield "# jobs: name  partitions, then the assets and checks it selects"
    for job in sorted(defs.jobs, key=lambda job: job.name):
        partitions = job.partitions_def.name if job.partitions_def else "-"
        yield f"{job.name}  {partitions}"
        assets = [_key(key) for key in job.selection.resolve(graph)]
        checks = [_check(key) for key in job.selection.resolve_checks(graph)]
        yield from _selection("assets", assets, every_asset)
        yield from _selection("checks", checks, every_check)


def _automation(defs: dg.Definitions) -> Iterable[str]:
    yield "# schedules: name  cron  timezone  job  default status"
    for schedule in sorted(defs.schedules, key=lambda schedule: schedule.name):
        yield (
            f"{schedule.name}  {schedule.cron_schedule}  {schedule.execution_timezone}  "
            f"{schedule.job_name}  {schedule.default_status.value}"
        )
    yield ""
    yield "# sensors: name  default status  jobs"
    for sensor in sorted(defs.sensors, key=lambda sensor: sensor.name):
        jobs = ", ".join(sorted(job.name for job in sensor.jobs)) if sensor.has_jobs else "-"
        yield f"{sensor.name}  {sensor.default_status.value}  {jobs}"


def describe(defs: dg.Definitions) -> str:
    graph = defs.resolve_asset_graph()
    lines = [*_assets(graph), "", *_checks(graph), "", *_jobs(defs), "", *_automation(defs)]
    return "\n".join(lines) + "\n"


def test_definitions_match_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.ANNUAL_CRON_ENV, raising=False)  # the snapshot holds the default
    described = describe(build_definitions())
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(described, encoding="utf-8")
        pytest.skip(f"wrote {SNAPSHOT}: review its diff and commit it")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if described != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            described.splitlines(keepends=True),
            fromfile=f"{SNAPSHOT.name} (committed)",
            tofile="definitions now",
        )
        pytest.fail(
            "The Dagster definitions differ from their snapshot:\n"
            + "".join(diff)
            + f"\nIf the change is intended, update the snapshot and commit it:\n  {UPDATE_COMMAND}",
            pytrace=False,
        )
