"""When runs start by themselves: the annual schedule and the landing-zone sensor.

Both request the `annual_refresh` job for one results year; the Dagster daemon (started by
`dagster dev`) evaluates them.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from nro_pipeline import settings
from nro_pipeline.lib.ingest.landing_reader import SUFFIXES, landing_years


def year_fingerprint(folder: Path) -> str:
    """Names, sizes and modification times of the year's landing files (cheap; no content read).

    Half-written files (`.part`, hidden) are ignored until they are renamed into place.
    """
    entries = sorted(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16] if entries else ""


def build_annual_schedule(
    job: dg.JobDefinition | UnresolvedAssetJobDefinition,
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="annual_refresh_schedule",
        cron_schedule=settings.annual_cron(),
        execution_timezone=settings.TIMEZONE,
        job=job,
        description="Every year (default 1 September): refresh the latest results year that has landed.",
    )
    def annual_refresh_schedule(context: dg.ScheduleEvaluationContext):
        years = landing_years(settings.landing_dir())
        if not years:
            return dg.SkipReason(f"No results-year folder in {settings.landing_dir()}.")
        latest = years[-1]
        stamp = context.scheduled_execution_time.date().isoformat()
        return dg.RunRequest(run_key=f"annual-{latest}-{stamp}", partition_key=str(latest))

    return annual_refresh_schedule


def build_landing_sensor(
    job: dg.JobDefinition | UnresolvedAssetJobDefinition, partition_keys: list[str]
) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_zone_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="A new or changed file in <landing>/<year>/ requests that year's refresh.",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext):
        landing = settings.landing_dir()
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        current = {
            str(year): year_fingerprint(landing / str(year))
            for year in landing_years(landing)
            if str(year) in partition_keys
        }
        requests = [
            dg.RunRequest(run_key=f"landing-{year}-{fingerprint}", partition_key=year)
            for year, fingerprint in sorted(current.items())
            if fingerprint and seen.get(year) != fingerprint
        ]
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not requests:
            return dg.SkipReason("No new or changed landing files.")
        return requests

    return landing_zone_sensor
