"""The one Dagster `Definitions` of nro_pipeline: what `dagster dev` shows and `nro run` executes."""

from __future__ import annotations

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.automation import build_annual_schedule, build_landing_sensor
from nro_pipeline.defs.dbt import (
    NroDbtCliResource,
    dbt_project,
    nro_dbt_models,
)
from nro_pipeline.defs.freshness import marts_not_older_than_landing
from nro_pipeline.defs.ingest import gx_checks, landing_files, raw_assets
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.publish import build_snapshot_asset
from nro_pipeline.defs.reports import report_assets
from nro_pipeline.defs.resources import (
    LandingZoneResource,
    PublishedSnapshotResource,
    WarehouseResource,
)

marts_snapshot = build_snapshot_asset(
    [key for key in nro_dbt_models.keys if key.path[0] in ("marts", "bi")], results_year_partitions
)

# A year's whole refresh: land and check the four files, then build every dbt model of that year.
annual_refresh_job = dg.define_asset_job(
    name="annual_refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=results_year_partitions,
    description="Land, validate (GX) and model one results year end to end.",
)
# What `nro run` launches per year before building the models of all years that passed.
land_and_validate_job = dg.define_asset_job(
    name="land_and_validate",
    selection=dg.AssetSelection.groups("raw"),
    partitions_def=results_year_partitions,
    description="Land the year's four files in raw and run their GX checks.",
)
build_models_job = dg.define_asset_job(
    name="build_models",
    selection=dg.AssetSelection.assets(nro_dbt_models, marts_snapshot, *report_assets),
    partitions_def=results_year_partitions,
    description="dbt build of every model for the selected years (one dbt run), then publish for BI and write the reports.",
)

# Warns (check marts_not_older_than_landing) when a landing file is newer than the marts built from it.
landing_freshness_job = dg.define_asset_job(
    name="check_landing_freshness",
    selection=dg.AssetSelection.checks(marts_not_older_than_landing),
    description="Are any year's marts older than its landing files?",
)

defs = dg.Definitions(
    assets=[*landing_files, *raw_assets, nro_dbt_models, marts_snapshot, *report_assets],
    asset_checks=[*gx_checks, marts_not_older_than_landing],
    jobs=[annual_refresh_job, land_and_validate_job, build_models_job, landing_freshness_job],
    schedules=[
        build_annual_schedule(annual_refresh_job),
        dg.ScheduleDefinition(
            name="daily_landing_freshness",
            job=landing_freshness_job,
            cron_schedule="0 7 * * *",
            execution_timezone="Europe/Moscow",
        ),
    ],
    sensors=[
        build_landing_sensor(annual_refresh_job, results_year_partitions.get_partition_keys())
    ],
    resources={
        "landing": LandingZoneResource(),
        "warehouse": WarehouseResource(),
        "published": PublishedSnapshotResource(),
        "dbt": NroDbtCliResource(project_dir=dbt_project, dbt_executable=settings.DBT_EXECUTABLE),
    },
    # DuckDB takes one writer process: steps of a run go one after another in one process.
    executor=dg.in_process_executor,
)
