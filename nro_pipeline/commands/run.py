"""`nro run`: refresh results years through the Dagster definitions, and say what happened.

One path for one year or many. Each year's files are landed and checked by a `land_and_validate`
run of its own, so a broken file blocks only its year; the years that passed are then modelled by
one `build_models` run per contiguous range of partitions (one dbt build each), as Dagster's
`dagster asset materialize --partition-range` would run them. `nro run` holds the warehouse lock
across all of it (lib/publish/working_copy.py): it refuses to start while another run writes the
warehouse, and no other run can slip in between a year's landing and its models. The runs are
recorded in the project's Dagster instance, so `nro dev` shows them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.commands.launch import RunReport, execute, warehouse_held
from nro_pipeline.commands.progress import Progress
from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.partitions import register_landed_years, year_keys
from nro_pipeline.instance.home import open_instance
from nro_pipeline.lib.ingest.landing_reader import landing_years
from nro_pipeline.lib.publish.working_copy import WorkingCopy, wal_of

LAND_JOB = "land_and_validate"
BUILD_JOB = "build_models"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


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


def run_years(years: list[int] | None, dbt_overrides: dict[str, Any], verbose: bool = False) -> int:
    """Refresh the years (default: every landed year); 0 when every one of them refreshed."""
    landing = settings.landing_dir()
    years = years or landing_years(landing)
    warehouse = settings.warehouse_path()
    _say(f"nro run: landing {landing}, warehouse {warehouse}")
    if not years:
        _say(f"No results-year folders (e.g. {landing}/2024) found: nothing to run.")
        return 1
    with warehouse_held(warehouse) as refusal:
        if refusal:
            print(f"nro run: {refusal}", file=sys.stderr)
            return 1
        instance = open_instance(settings.dagster_home(), in_process=True)
        _say(
            f"Runs are recorded in the Dagster instance {settings.dagster_home()} (see `nro dev`)."
        )
        try:
            outcomes = _refresh(years, dbt_overrides, verbose, instance)
        except KeyboardInterrupt:
            print(
                "nro run: stopped (Ctrl-C). The interrupted run's work was discarded; the marts "
                "stay as the last finished run left them.",
                file=sys.stderr,
            )
            return 130
    return _summary(outcomes)


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
    rebuilt = warehouse.with_name(f"{warehouse.stem}.rebuild{warehouse.suffix}")
    with warehouse_held(warehouse, "nro run --rebuild") as refusal:
        if refusal:
            print(f"nro run: {refusal}", file=sys.stderr)
            return 1
        try:
            with tempfile.TemporaryDirectory(prefix="rebuild-", dir=warehouse.parent) as folder:
                restored = restore_landing(archive_root(), Path(folder), as_of=as_of)
                _say(f"nro run --rebuild: {len(restored)} files restored from {archive_root()}")
                for leftover in (rebuilt, wal_of(rebuilt)):
                    leftover.unlink(missing_ok=True)
                # The rebuilt file sits beside the warehouse: every output keeps its folder.
                settings.use_paths(landing=Path(folder), warehouse=rebuilt)
                code = run_years(years, dbt_overrides, verbose=verbose)
        finally:
            settings.use_paths(warehouse=warehouse)
        if code != 0:
            _say("Nothing replaced: the warehouse stays as it was before this run.")
            return code
        if warehouse.exists():  # publications record what was sent out: no archive re-creates them
            carry_over(warehouse, rebuilt)
        WorkingCopy(warehouse).commit_from(rebuilt)
        return 0


def _refresh(
    years: list[int], dbt_overrides: dict[str, Any], verbose: bool, instance: dg.DagsterInstance
) -> dict[int, YearOutcome]:
    """Land and check each year in a run of its own, then build the years that passed."""
    defs = load_definitions()
    register_landed_years(instance)
    partition_keys = year_keys(instance)
    outcomes = {year: YearOutcome(year) for year in years}
    for year in years:
        if str(year) not in partition_keys:
            outcomes[year].problems.append(
                f"{year}: no folder {settings.landing_dir() / str(year)}"
            )
    with Progress(total=len(years) + 1) as progress:
        land = defs.resolve_job_def(LAND_JOB)
        for year in [y for y in years if outcomes[y].passed]:
            progress.start(f"[{year}] landing and validating its files …")
            report = execute(land, instance, verbose, partition_key=str(year))
            if report.interrupted:
                raise KeyboardInterrupt
            _note(outcomes[year], report)
            status = "ok" if outcomes[year].passed else "BLOCKED"
            progress.done(f"[{year}] landing and validation: {status} ({report.seconds:.1f} s)")

        ranges = _contiguous_ranges([y for y in years if outcomes[y].passed], partition_keys)
        progress.total = len(years) + max(len(ranges), 1)
        build = defs.resolve_job_def(BUILD_JOB)
        for first, last in ranges:
            label = first if first == last else f"{first}–{last}"
            progress.start(f"[{label}] dbt build of staging, facts and marts …")
            report = execute(
                build,
                instance,
                verbose,
                dbt_overrides=dbt_overrides,
                tags={RANGE_START_TAG: first, RANGE_END_TAG: last},
            )
            if report.interrupted:
                raise KeyboardInterrupt
            for warning in report.warnings:
                progress.line(f"[{label}] warning: {warning}")
            if report.problems and not verbose:
                progress.line(report.dbt_log)
            status = "FAILED" if report.problems else "ok"
            progress.done(f"[{label}] models: {status} ({report.seconds:.1f} s)")
            keys = partition_keys[partition_keys.index(first) : partition_keys.index(last) + 1]
            built = [outcomes[int(key)] for key in keys if int(key) in outcomes]
            for outcome in built:
                outcome.problems.extend(report.problems)
            _attribute_warnings(report.warnings, built)
    return outcomes


def _attribute_warnings(warnings: list[str], built: list[YearOutcome]) -> None:
    """The build's warnings (e.g. register decisions without effect) go into the Summary under the
    year whose landing folder they name, else under the last year of the range: none is lost."""
    for warning in warnings:
        named = [o for o in built if f"{os.sep}{o.year}{os.sep}" in warning] or built[-1:]
        for outcome in named:
            outcome.warnings.append(warning)


def _note(outcome: YearOutcome, report: RunReport) -> None:
    outcome.problems.extend(report.problems)
    outcome.warnings.extend(report.warnings)
    for note in report.notes:
        _say(f"[{outcome.year}] {note}")
    for warning in report.warnings:
        _say(f"[{outcome.year}] warning: {warning}")


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


def _summary(outcomes: dict[int, YearOutcome]) -> int:
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
