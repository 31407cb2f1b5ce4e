"""A tick of `landing_zone_sensor` and the run it requests, in a real Dagster instance, in a
process of its own with the environment of `nro` (tests/support/run.py): what the daemon does
when a file arrives, without the daemon's polling.

    python -m tests.support.sensor_run CURSOR_JSON  → prints a JSON summary of the tick and run
"""

from __future__ import annotations

import json
import sys

import dagster as dg
from dagster._core.definitions.partitions.context import partition_loading_context

from nro_pipeline import settings
from nro_pipeline.commands.launch import execute, warehouse_held
from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.partitions import register_landed_years
from nro_pipeline.instance.home import open_instance


def main(cursor: str) -> dict[str, object]:
    defs = load_definitions()
    instance = open_instance(settings.dagster_home(), in_process=True)
    register_landed_years(instance)
    sensor = defs.get_sensor_def("landing_zone_sensor")
    with partition_loading_context(dynamic_partitions_store=instance):
        context = dg.build_sensor_context(cursor=cursor, definitions=defs, instance=instance)
        tick = sensor.evaluate_tick(context)
    requests = list(tick.run_requests or [])
    summary: dict[str, object] = {"run_keys": [r.run_key for r in requests]}
    if len(requests) != 1:
        return summary
    [request] = requests
    job = defs.resolve_job_def(request.job_name or "annual_refresh")
    with warehouse_held(settings.warehouse_path()) as refusal:
        assert refusal is None, refusal
        report = execute(
            job,
            instance,
            verbose=False,
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
        )
    run = instance.get_runs(limit=1)[0]
    summary.update(
        selected=sorted("/".join(k.path) for k in request.asset_selection or []),
        problems=report.problems,
        warnings=report.warnings,
        status=str(run.status),
        checks_run=sorted(
            {
                e.dagster_event.asset_check_evaluation_data.check_name
                for e in instance.all_logs(run.run_id)
                if e.dagster_event
                and e.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
            }
        ),
    )
    return summary


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
