"""`nro run`: launch the Dagster jobs year by year and say in plain words what happened.

Each year is landed and checked in a run of its own (`land_and_validate`), so a broken file blocks
only its year. The dbt models of all years that passed are then built in as few runs as possible
(`build_models` over contiguous partition ranges: one `dbt build` each). One year alone — the
September run — is refreshed by one `annual_refresh` run, as the schedule does: its blocking GX
checks hold back the models just as a separate build would, for one run's start-up and one working
copy of the warehouse instead of two. The runs are recorded in the project's Dagster instance
(`nro dev` shows them) and, like every run, each takes the warehouse lock and lands whole or not
at all (lib/publish/working_copy.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.instance import open_instance
from nro_pipeline.defs.partitions import register_landed_years, year_keys
from nro_pipeline.defs.resources import is_landing_step
from nro_pipeline.lib.ingest.landing_reader import landing_years
from nro_pipeline.lib.publish.working_copy import WarehouseLock, WorkingCopy, read_holder, wal_of


@dataclass
class YearOutcome:
    year: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _say(text: str) -> None:
    print(text, flush=True)


class _Progress:
    """Step counter: a bar in front of each step line on a terminal, plain lines elsewhere (CI)."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.bar = settings.progress_bar_wanted()

    def step(self, text: str, finished: bool = True) -> None:
        self.done += finished
        if self.bar:
            filled = round(20 * self.done / max(self.total, 1))
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} {text}"
        _say(text)


def _run_config(verbose: bool, dbt_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}
    }
    if dbt_overrides is not None:
        config["ops"] = {"nro_dbt_models": {"config": {"vars_json": json.dumps(dbt_overrides)}}}
    return config


def _failures(result: dg.ExecuteInProcessResult, landing: bool | None = None) -> list[str]:
    """Plain messages of a run: failed steps (our Failure descriptions) and failed checks; with
    `landing` True or False, only those of the landing steps (`raw…`, their GX checks) or the rest."""

    def wanted(step_key: str | None) -> bool:
        return landing is None or is_landing_step(step_key) == landing

    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and wanted(event.step_key):
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                messages.append(data.user_failure_data.description)
            elif data.error and data.error.cls_name != "DagsterAssetCheckFailedError":
                # a failed blocking check is reported below, with its own description
                error = data.error
                while error.cause is not None and "dagster" in error.cls_name.lower():
                    error = error.cause
                messages.append(error.message.strip())
    for evaluation in result.get_asset_check_evaluations():
        if landing is not None and (evaluation.asset_key.path[0] == "raw") != landing:
            continue
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            messages.append(evaluation.description or f"check {evaluation.check_name} failed")
    return messages


def _check_warnings(result: dg.ExecuteInProcessResult) -> list[str]:
    """Failed WARN-severity checks (e.g. landing files newer than the marts): said, not fatal."""
    return [
        evaluation.description or f"check {evaluation.check_name} warns"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    ]


def _landing_metadata(result: dg.ExecuteInProcessResult, key: str) -> list[str]:
    """Lines the raw assets recorded under `key`: "warnings" (a header-only file, SPEC §5) or
    "notes" (same content as already landed: not reloaded)."""
    lines = []
    for event in result.get_asset_materialization_events():
        text = event.materialization.metadata.get(key)
        if text is not None and text.value != "none":
            lines.extend(text.value.splitlines())
    return lines


def _contiguous_ranges(years: list[int], partition_keys: list[str]) -> list[tuple[str, str]]:
    """Group years into runs of neighbouring partitions (a run covers one partition range)."""
    positions = sorted(partition_keys.index(str(y)) for y in years)
    ranges: list[tuple[str, str]] = []
    for position in positions:
        if ranges and partition_keys.index(ranges[-1][1]) == position - 1:
            ranges[-1] = (ranges[-1][0], partition_keys[position])
        else:
            ranges.append((partition_keys[position], partition_keys[position]))
    return ranges


def run_years(
    years: list[int] | None,
    dbt_overrides: dict[str, Any],
    verbose: bool = False,
    fresh: bool = False,
) -> int:
    """Refresh the years (default: every landed year); `fresh` rebuilds from an empty warehouse."""
    landing = settings.landing_dir()
    years = years or landing_years(landing)
    warehouse = settings.warehouse_path()
    _say(f"nro run: landing {landing}, warehouse {warehouse}")
    if not years:
        _say(f"No results-year folders (e.g. {landing}/2024) found: nothing to run.")
        return 1
    instance = open_instance()
    _say(f"Runs are recorded in the Dagster instance {settings.dagster_home()} (see `nro dev`).")
    busy = _refusal(warehouse)
    if busy:
        print(f"nro run: {busy}", file=sys.stderr)
        return 1
    outcomes = _refresh(years, dbt_overrides, verbose, instance)
    return _report(outcomes)


def rebuild_years(
    years: list[int] | None,
    dbt_overrides: dict[str, Any],
    verbose: bool = False,
    as_of: datetime | None = None,
) -> int:
    """Re-create the whole warehouse from the archive alone (`nro run --rebuild`).

    The new warehouse is built beside the old one and swapped in only when every year refreshed;
    the old one stays locked meanwhile, so no other run writes what the swap would replace."""
    from nro_pipeline.lib.ingest.archive import archive_root, restore_landing
    from nro_pipeline.lib.publish.published_lists import carry_over

    warehouse = settings.warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock = WarehouseLock(warehouse, "nro-run-rebuild", "nro run --rebuild")
    if not lock.try_acquire():
        print(f"nro run: {_refusal(warehouse)}", file=sys.stderr)
        return 1
    rebuilt = warehouse.with_name(f"{warehouse.stem}.rebuild{warehouse.suffix}")
    try:
        os.environ[settings.DATA_DIR_ENV] = str(settings.data_root())  # outputs stay where they are
        with tempfile.TemporaryDirectory(prefix="rebuild-landing-", dir=warehouse.parent) as folder:
            restored = restore_landing(archive_root(), Path(folder), as_of=as_of)
            _say(f"nro run --rebuild: {len(restored)} files restored from {archive_root()}")
            for leftover in (rebuilt, wal_of(rebuilt)):
                leftover.unlink(missing_ok=True)
            settings.use_paths(landing=Path(folder), warehouse=rebuilt)
            code = run_years(years, dbt_overrides, verbose=verbose)
        if code == 0:
            if (
                warehouse.exists()
            ):  # publications record what was sent out: no archive re-creates them
                carry_over(warehouse, rebuilt)
            WorkingCopy(warehouse).commit_from(rebuilt)
        else:
            _say("Nothing replaced: the warehouse stays as it was before this run.")
        return code
    finally:
        settings.use_paths(warehouse=warehouse)
        lock.release()


def _refusal(warehouse: Path) -> str | None:
    """Why this run must not start now: another run is writing the warehouse."""
    probe = WarehouseLock(warehouse, "nro-run-probe", "nro run")
    if probe.try_acquire():
        probe.release()
        return None
    holder = read_holder(warehouse)
    return (
        f"the warehouse {warehouse} is being written by "
        + (holder.describe() if holder else "another run")
        + "; nothing was started. Try again when it ends (its progress is in `nro dev`)."
    )


def _refresh(
    years: list[int], dbt_overrides: dict[str, Any], verbose: bool, instance: dg.DagsterInstance
) -> dict[int, YearOutcome]:
    """Land and check each year, then build the years that passed."""
    defs = load_definitions()
    register_landed_years(instance)
    partition_keys = year_keys(instance)
    outcomes = {year: YearOutcome(year) for year in years}
    for year in years:
        if str(year) not in partition_keys:
            outcomes[year].problems.append(
                f"{year}: no folder {settings.landing_dir() / str(year)}"
            )
    if len(years) == 1 and outcomes[years[0]].passed:
        _refresh_one_year(outcomes[years[0]], defs, dbt_overrides, verbose, instance)
        return outcomes
    progress = _Progress(total=len(years) + 1)
    land = defs.resolve_job_def("land_and_validate")
    for year in years:
        if not outcomes[year].passed:
            continue
        progress.step(f"[{year}] landing and validating 4 files …", finished=False)
        started = time.monotonic()
        result = land.execute_in_process(
            partition_key=str(year),
            instance=instance,
            raise_on_error=False,
            run_config=_run_config(verbose),
        )
        _note_landing(outcomes[year], result)
        status = "ok" if outcomes[year].passed else "BLOCKED"
        progress.step(
            f"[{year}] landing and validation: {status} ({time.monotonic() - started:.1f} s)"
        )

    passed = [y for y in years if outcomes[y].passed]
    ranges = _contiguous_ranges(passed, partition_keys)
    progress.total = len(years) + max(len(ranges), 1)
    build = defs.resolve_job_def("build_models")
    for first, last in ranges:
        problems = _build(build, first, last, dbt_overrides, verbose, instance, progress)
        for key in partition_keys[partition_keys.index(first) : partition_keys.index(last) + 1]:
            if int(key) in outcomes:
                outcomes[int(key)].problems.extend(problems)
    return outcomes


def _note_landing(
    outcome: YearOutcome, result: dg.ExecuteInProcessResult, landing: bool | None = None
) -> None:
    outcome.problems.extend(_failures(result, landing=landing))
    outcome.warnings.extend(_landing_metadata(result, "warnings"))
    outcome.warnings.extend(_check_warnings(result))
    for note in _landing_metadata(result, "notes"):
        _say(f"[{outcome.year}] {note}")
    for warning in outcome.warnings:
        _say(f"[{outcome.year}] warning: {warning}")


def _refresh_one_year(
    outcome: YearOutcome,
    defs: dg.Definitions,
    dbt_overrides: dict[str, Any],
    verbose: bool,
    instance: dg.DagsterInstance,
) -> None:
    """Land, check and build one year in one `annual_refresh` run; the two phases are timed from
    the run's step events, so the lines read as they do for a run over several years."""
    year = outcome.year
    progress = _Progress(total=2)
    progress.step(
        f"[{year}] landing and validating 4 files, then the dbt build of its models …", False
    )
    started = time.monotonic()
    result, dbt_log = _execute_with_dbt(
        defs.resolve_job_def("annual_refresh"),
        instance,
        verbose,
        dbt_overrides,
        partition_key=str(year),
    )
    _note_landing(outcome, result, landing=True)
    landing_s, models_s = _phase_seconds(instance, result.run_id, time.monotonic() - started)
    progress.step(
        f"[{year}] landing and validation: {'ok' if outcome.passed else 'BLOCKED'} "
        f"({landing_s:.1f} s)"
    )
    if not outcome.passed:
        return  # the blocking checks held the models back
    problems = _failures(result, landing=False)
    if not result.success and not problems:
        problems = [f"the run failed; see run {result.run_id} in `nro dev`"]
    outcome.problems.extend(problems)
    if problems and not verbose:
        _say(dbt_log)
    progress.step(f"[{year}] models: {'FAILED' if problems else 'ok'} ({models_s:.1f} s)")


STEP_ENDS = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}


def _phase_seconds(instance: dg.DagsterInstance, run_id: str, total: float) -> tuple[float, float]:
    """(landing and validation, the rest) of a run that did both: split where its last landing
    step (`raw…`) ended."""
    records = instance.all_logs(run_id, of_type={dg.DagsterEventType.RUN_START, *STEP_ENDS})
    start = next(
        (r.timestamp for r in records if r.dagster_event_type == dg.DagsterEventType.RUN_START),
        None,
    )
    landed = [r.timestamp for r in records if is_landing_step(r.step_key)]
    if start is None or not landed:
        return total, 0.0
    landing = max(landed) - start
    return landing, max(total - landing, 0.0)


def _execute_with_dbt(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    verbose: bool,
    dbt_overrides: dict[str, Any],
    **launch: Any,
) -> tuple[dg.ExecuteInProcessResult, str]:
    """Run a job that builds the dbt models; its result and the last 40 lines dbt printed.

    dagster-dbt echoes every dbt log line to stdout: shown as it comes with --verbose, else
    kept for a failure."""
    dbt_log = io.StringIO()
    with contextlib.redirect_stdout(sys.stdout if verbose else dbt_log):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=_run_config(verbose, dbt_overrides),
            **launch,
        )
    return result, "\n".join(dbt_log.getvalue().splitlines()[-40:])


def _build(
    build: dg.JobDefinition,
    first: str,
    last: str,
    dbt_overrides: dict[str, Any],
    verbose: bool,
    instance: dg.DagsterInstance,
    progress: _Progress,
) -> list[str]:
    """One build_models run over the partition range first…last; its problems (empty: ok)."""
    label = first if first == last else f"{first}–{last}"
    progress.step(f"[{label}] dbt build of staging, facts and marts …", finished=False)
    started = time.monotonic()
    result, dbt_log = _execute_with_dbt(
        build,
        instance,
        verbose,
        dbt_overrides,
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )
    problems = _failures(result)
    for warning in _check_warnings(result):
        progress.step(f"[{label}] warning: {warning}", finished=False)
    if problems and not verbose:
        _say(dbt_log)
    status = "ok" if not problems else "FAILED"
    progress.step(f"[{label}] models: {status} ({time.monotonic() - started:.1f} s)")
    return problems


def _report(outcomes: dict[int, YearOutcome]) -> int:
    from nro_pipeline.lib.reports.run_summary import year_figures

    figures = year_figures(settings.warehouse_path(), [y for y, o in outcomes.items() if o.passed])
    _say("")
    _say("Summary")
    for year, outcome in sorted(outcomes.items()):
        if outcome.passed:
            _say(f"  {year}: refreshed — {figures.get(year, 'no marts found')}")
            for warning in outcome.warnings:
                _say(f"      warning: {warning}")
        else:
            _say(f"  {year}: NOT refreshed; the previous marts of {year} stay as they were:")
            for problem in outcome.problems:
                for line in problem.splitlines():
                    _say(f"      {line}")
    failed = [y for y, o in outcomes.items() if not o.passed]
    if failed:
        print(f"nro run: {len(failed)} of {len(outcomes)} years failed.", file=sys.stderr)
        return 1
    if len(outcomes) == 1:
        _say(f"nro run: {next(iter(outcomes))} refreshed.")
    else:
        _say(f"nro run: all {len(outcomes)} years refreshed.")
    return 0
