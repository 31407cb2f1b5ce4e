"""When runs start by themselves: the annual schedule and the landing-zone sensors.

`landing_years_sensor` (on by default) only turns new year folders into partitions, so the UI
shows every landed year. `landing_zone_sensor` (off until a data engineer turns it on) and the
annual schedule request the `annual_refresh` job for one results year; the Dagster daemon (started
by `nro dev`) evaluates them, and the run queue lets one run write the warehouse at a time.

A year whose only new or changed file is the region's register of decisions (it arrives after the
results; docs/methodology.md, «Решения региона») gets a run of the register and what is
downstream of it — the final list, the indicators, the BI snapshot and the reports — instead of
the year's whole refresh: its other files are not landed again.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from nro_pipeline import settings
from nro_pipeline.defs.partitions import new_landed_years, results_year_partitions
from nro_pipeline.lib.contract.file_kinds import SUPPORT_REGISTER
from nro_pipeline.lib.ingest.landing_reader import SUFFIXES, landing_years

Job = dg.JobDefinition | UnresolvedAssetJobDefinition


def year_files(folder: Path) -> dict[str, str]:
    """Each landing file of the year → its size and modification time (cheap; no content read).

    Half-written files (`.part`, hidden) are ignored until they are renamed into place.
    """
    return {
        p.name: f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    }


def year_fingerprint(folder: Path) -> str:
    """One hash of the names, sizes and modification times of the year's landing files."""
    entries = sorted(f"{name}:{stamp}" for name, stamp in year_files(folder).items())
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16] if entries else ""


def only_the_register_changed(seen: object, now: dict[str, str]) -> bool:
    """Whether the files of a year seen before differ only in the register of decisions."""
    if not isinstance(seen, dict):  # never seen, or a cursor of an older version
        return False
    changed = {name for name in seen.keys() | now.keys() if seen.get(name) != now.get(name)}
    return bool(changed) and all(Path(n).stem == SUPPORT_REGISTER.name for n in changed)


def register_refresh(
    graph: BaseAssetGraph, job: Job
) -> tuple[list[dg.AssetKey], list[dg.AssetCheckKey]]:
    """The register's raw asset and everything downstream of it in the refresh job, with their
    checks (the GX check of the register among them)."""
    selection = dg.AssetSelection.assets(dg.AssetKey(["raw", SUPPORT_REGISTER.name])).downstream()
    in_job = job.selection.resolve(graph) if isinstance(job, UnresolvedAssetJobDefinition) else None
    keys = sorted(k for k in selection.resolve(graph) if in_job is None or k in in_job)
    checks = job.selection.resolve_checks(graph) if in_job is not None else None
    return keys, sorted(
        (c for c in selection.resolve_checks(graph) if checks is None or c in checks), key=str
    )


def _add_years(years: list[str]) -> list[dg.AddDynamicPartitionsRequest]:
    if not years:
        return []
    return [
        dg.AddDynamicPartitionsRequest(
            partitions_def_name=results_year_partitions.name or "", partition_keys=years
        )
    ]


def build_annual_schedule(job: Job) -> dg.ScheduleDefinition:
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
        latest = str(years[-1])
        if latest in new_landed_years(context.instance):
            return dg.SkipReason(
                f"{latest} is not a partition yet: the sensor landing_years_sensor adds it."
            )
        stamp = context.scheduled_execution_time.date().isoformat()
        return dg.RunRequest(run_key=f"annual-{latest}-{stamp}", partition_key=latest)

    return annual_refresh_schedule


@dg.sensor(
    name="landing_years_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new year folder in the landing zone becomes a results-year partition.",
)
def landing_years_sensor(context: dg.SensorEvaluationContext):
    added = new_landed_years(context.instance)
    if not added:
        return dg.SkipReason("No new year folder.")
    return dg.SensorResult(dynamic_partitions_requests=_add_years(added))


def build_landing_sensor(job: Job) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_zone_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="A new or changed file in <landing>/<year>/ requests that year's refresh.",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext):
        landing = settings.landing_dir()
        # year → file → size and time (a cursor of an older version: year → fingerprint)
        seen: dict[str, object] = json.loads(context.cursor) if context.cursor else {}
        current = {str(year): year_files(landing / str(year)) for year in landing_years(landing)}
        requests = []
        for year, files in sorted(current.items()):
            if not files or seen.get(year) == files:
                continue
            fingerprint = year_fingerprint(landing / year)
            if only_the_register_changed(seen.get(year), files):
                keys, checks = register_refresh(context.repository_def.asset_graph, job)
                requests.append(
                    dg.RunRequest(
                        run_key=f"register-{year}-{fingerprint}",
                        partition_key=year,
                        asset_selection=keys,
                        asset_check_keys=checks,
                    )
                )
            else:
                requests.append(
                    dg.RunRequest(run_key=f"landing-{year}-{fingerprint}", partition_key=year)
                )
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not requests:
            return dg.SkipReason("No new or changed landing files.")
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=_add_years(new_landed_years(context.instance)),
        )

    return landing_zone_sensor
