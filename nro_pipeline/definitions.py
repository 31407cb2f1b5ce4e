"""The one Dagster `Definitions` of nro_pipeline: what `nro dev` shows and `nro run` executes.

Built when Dagster loads the code location (or `nro run` calls `load_definitions`), not at import:
the dbt manifest is parsed then, and the resources take their paths from `settings` at that time.
"""

from __future__ import annotations

from functools import cache

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.automation.freshness_check import marts_not_older_than_landing
from nro_pipeline.defs.automation.schedules_and_sensors import (
    Job,
    build_annual_schedule,
    build_landing_sensor,
    landing_years_sensor,
)
from nro_pipeline.defs.dbt.assets import NroDbtCliResource, build_dbt_assets, dbt_project
from nro_pipeline.defs.landing.assets import gx_checks, landing_files, quarantine_table, raw_assets
from nro_pipeline.defs.outputs.assets import build_output_assets
from nro_pipeline.defs.outputs.public_edition import public_edition
from nro_pipeline.defs.outputs.published_lists import published_lists
from nro_pipeline.defs.outputs.register_check import register_decisions_take_effect
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import LandingZoneResource, WarehouseResource


def build_definitions() -> dg.Definitions:
    dbt_models = build_dbt_assets()
    outputs = build_output_assets(
        [key for key in dbt_models.keys if key.path[0] in ("marts", "bi", "public")]
    )
    jobs = _jobs(dg.AssetSelection.assets(dbt_models, outputs))
    return dg.Definitions(
        assets=[
            *landing_files,
            quarantine_table,
            *raw_assets,
            dbt_models,
            outputs,
            published_lists,
            public_edition,
        ],
        asset_checks=[*gx_checks, marts_not_older_than_landing, register_decisions_take_effect],
        jobs=list(jobs.values()),
        schedules=[
            build_annual_schedule(jobs["annual_refresh"]),
            dg.ScheduleDefinition(
                name="daily_landing_freshness",
                job=jobs["check_landing_freshness"],
                cron_schedule="0 7 * * *",
                execution_timezone=settings.TIMEZONE,
            ),
        ],
        sensors=[landing_years_sensor, build_landing_sensor(jobs["annual_refresh"])],
        resources={
            "landing": LandingZoneResource(),
            "warehouse": WarehouseResource(),
            "dbt": NroDbtCliResource(
                project_dir=dbt_project, dbt_executable=settings.DBT_EXECUTABLE
            ),
        },
        # DuckDB takes one writer process: steps of a run go one after another in one process.
        executor=dg.in_process_executor,
    )


def _jobs(model_assets: dg.AssetSelection) -> dict[str, Job]:
    """The jobs by name; `model_assets` are the dbt models, the BI snapshot and the reports."""
    freshness_check = dg.AssetSelection.checks(marts_not_older_than_landing)
    publication = dg.AssetSelection.assets(published_lists, public_edition)
    jobs = [
        # A year's whole refresh: land and check the four files, then build every model of that
        # year. Publishing is an act of its own (`publish_list`), never part of a refresh.
        dg.define_asset_job(
            name="annual_refresh",
            selection=dg.AssetSelection.all() - freshness_check - publication,
            partitions_def=results_year_partitions,
            description="Land, validate (GX) and model one results year end to end.",
        ),
        # What `nro run` launches per year before building the models of all years that passed.
        dg.define_asset_job(
            name="land_and_validate",
            selection=dg.AssetSelection.groups("raw"),
            partitions_def=results_year_partitions,
            description="Land the year's four files in raw and run their GX checks.",
        ),
        dg.define_asset_job(
            name="build_models",
            selection=model_assets - freshness_check,
            partitions_def=results_year_partitions,
            description="dbt build of every model for the selected years (one dbt run), then publish for BI and write the reports.",
        ),
        dg.define_asset_job(
            name="publish_list",
            selection=publication,
            partitions_def=results_year_partitions,
            description=(
                "Freeze the year's list as published and write its public edition "
                "(`nro publish --year Y`)."
            ),
        ),
        dg.define_asset_job(
            name="check_landing_freshness",
            selection=freshness_check,
            description="Is any landed year without marts, or are its marts older than its files?",
        ),
    ]
    return {job.name: job for job in jobs}


@cache
def load_definitions() -> dg.Definitions:
    """The definitions for this process (settings as they are when first called)."""
    return build_definitions()


@dg.definitions
def defs() -> dg.Definitions:
    return load_definitions()
