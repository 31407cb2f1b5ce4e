"""`nro run`: launch the Dagster jobs year by year and say in plain words what happened.

Each year is landed and checked in a run of its own (`land_and_validate`), so a broken file blocks
only its year. The dbt models of all years that passed are then built in as few runs as possible
(`build_models` over contiguous partition ranges: one `dbt build` each).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pyarrow as pa

from nro_pipeline import settings
from nro_pipeline.lib.ingest.landing_reader import landing_years
from nro_pipeline.lib.publish.working_copy import WarehouseBusyError, WorkingCopy


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
        self.bar = sys.stdout.isatty() and not os.environ.get("CI")

    def step(self, text: str, finished: bool = True) -> None:
        self.done += finished
        if self.bar:
            filled = round(20 * self.done / max(self.total, 1))
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} {text}"
        _say(text)


def _instance() -> dg.DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs then show in `dagster dev`)."""
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def _run_config(verbose: bool, dbt_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}
    }
    if dbt_overrides is not None:
        config["ops"] = {"nro_dbt_models": {"config": {"vars_json": json.dumps(dbt_overrides)}}}
    return config


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """Plain messages of a run: failed steps (our Failure descriptions) and failed checks."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
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
    try:
        with WorkingCopy(warehouse, fresh=fresh) as copy:
            # The Dagster resources read NRO_WAREHOUSE when the definitions load, just below.
            settings.export_warehouse_path(copy.path)
            outcomes, models_built = _refresh(years, dbt_overrides, verbose)
            if models_built:
                copy.commit()
            else:
                _say("Nothing published: the warehouse stays as it was before this run.")
    except WarehouseBusyError as error:
        print(f"nro run: {error}", file=sys.stderr)
        return 1
    finally:
        settings.export_warehouse_path(warehouse)
    return _report(outcomes)


def _refresh(
    years: list[int], dbt_overrides: dict[str, Any], verbose: bool
) -> tuple[dict[int, YearOutcome], bool]:
    """Land and check each year, then build the passing years; False when a model build failed."""
    from nro_pipeline.definitions import defs
    from nro_pipeline.defs.partitions import results_year_partitions

    models_built = True
    partition_keys = results_year_partitions.get_partition_keys()
    instance = _instance()
    outcomes = {year: YearOutcome(year) for year in years}

    # land+validate per year, then at least one dbt build
    progress = _Progress(total=len(years) + 1)
    land = defs.resolve_job_def("land_and_validate")
    for year in years:
        if str(year) not in partition_keys:
            outcomes[year].problems.append(f"{year} is not a results-year partition")
            continue
        progress.step(f"[{year}] landing and validating 4 files …", finished=False)
        started = time.monotonic()
        result = land.execute_in_process(
            partition_key=str(year),
            instance=instance,
            raise_on_error=False,
            run_config=_run_config(verbose),
        )
        outcomes[year].problems.extend(_failures(result))
        outcomes[year].warnings.extend(_landing_metadata(result, "warnings"))
        outcomes[year].warnings.extend(_check_warnings(result))
        for note in _landing_metadata(result, "notes"):
            _say(f"[{year}] {note}")
        for warning in outcomes[year].warnings:
            _say(f"[{year}] warning: {warning}")
        status = "ok" if outcomes[year].passed else "BLOCKED"
        progress.step(
            f"[{year}] landing and validation: {status} ({time.monotonic() - started:.1f} s)"
        )

    _release_memory()  # before dbt's process starts beside this one
    passed = [y for y in years if outcomes[y].passed]
    build = defs.resolve_job_def("build_models")
    ranges = _contiguous_ranges(passed, partition_keys)
    progress.total = len(years) + max(len(ranges), 1)
    for first, last in ranges:
        label = first if first == last else f"{first}–{last}"
        progress.step(f"[{label}] dbt build of staging, facts and marts …", finished=False)
        started = time.monotonic()
        # dagster-dbt echoes every dbt log line to stdout: keep it for --verbose or a failure.
        dbt_log = io.StringIO()
        with contextlib.redirect_stdout(sys.stdout if verbose else dbt_log):
            result = build.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=_run_config(verbose, dbt_overrides),
                tags={
                    "dagster/asset_partition_range_start": first,
                    "dagster/asset_partition_range_end": last,
                },
            )
        problems = _failures(result)
        models_built = models_built and not problems
        for warning in _check_warnings(result):
            progress.step(f"[{label}] warning: {warning}", finished=False)
        if problems and not verbose:
            _say("\n".join(dbt_log.getvalue().splitlines()[-40:]))
        for year in range(int(first), int(last) + 1):
            if year in outcomes:
                outcomes[year].problems.extend(problems)
        status = "ok" if not problems else "FAILED"
        progress.step(f"[{label}] models: {status} ({time.monotonic() - started:.1f} s)")
    return outcomes, models_built


def _release_memory() -> None:
    """Hand the memory of landing and validation (Arrow batches, GX frames) back to the system.

    Python and Arrow keep freed memory for reuse; this process then sits beside the dbt process
    for the rest of the run, and the two together must stay under 4 GiB at national size."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # glibc only; elsewhere nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
    _say(f"nro run: all {len(outcomes)} years refreshed.")
    return 0
