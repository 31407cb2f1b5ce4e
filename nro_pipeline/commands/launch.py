"""Executing one Dagster job in this process, as `nro run` and `nro publish` do, and reading what
it said in plain words; the warehouse lock such a command holds around its runs."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.errors import DagsterExecutionInterruptedError

from nro_pipeline.commands.interrupts import stop_signals_seen
from nro_pipeline.lib.publish.working_copy import WarehouseLock, read_holder


@dataclass(frozen=True)
class RunReport:
    """One Dagster run in plain words: what failed, what warns, what was noted, how long it took."""

    problems: list[str]
    warnings: list[str]
    notes: list[str]
    seconds: float
    dbt_log: str = ""
    interrupted: bool = False


@contextlib.contextmanager
def warehouse_held(warehouse: Path, job: str = "nro run") -> Iterator[str | None]:
    """Hold the warehouse lock for the whole command, or yield why another run has it."""
    lock = WarehouseLock(warehouse, job, job)
    if not lock.try_acquire():
        holder = read_holder(warehouse)
        yield (
            f"the warehouse {warehouse} is being written by "
            + (holder.describe() if holder else "another run")
            + "; nothing was started. Try again when it ends (its progress is in `nro dev`)."
        )
        return
    try:
        yield None
    finally:
        lock.release()


def execute(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    verbose: bool,
    dbt_overrides: dict[str, Any] | None = None,
    ops_config: dict[str, Any] | None = None,
    **launch: Any,
) -> RunReport:
    """Execute one run of `job` in this process and read what it said (`ops_config`: the run
    config of its ops, by op name).

    dagster-dbt echoes every dbt log line to stdout: shown as it comes with --verbose, else the
    last 40 lines are kept for a failure."""
    config: dict[str, Any] = {
        "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}
    }
    config["ops"] = dict(ops_config or {})
    if dbt_overrides is not None:
        config["ops"]["nro_dbt_models"] = {"config": {"vars_json": json.dumps(dbt_overrides)}}
    dbt_log = io.StringIO()
    with (
        stop_signals_seen() as stopped,
        contextlib.redirect_stdout(sys.stdout if verbose else dbt_log),
    ):
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=config, **launch
        )
        # A Ctrl-C Dagster swallowed still stopped dbt beside us: the run was stopped, not failed.
        stopped_here = not result.success and stopped()
    stats = instance.get_run_stats(result.run_id)
    failed_checks, warning_checks = _failed_checks(result)
    problems, interrupted = _problems(result, failed_checks)
    interrupted = interrupted or stopped_here
    if not result.success and not problems:
        problems = [f"the run failed; see run {result.run_id} in `nro dev`"]
    return RunReport(
        problems=problems,
        warnings=_metadata_lines(result, "warnings") + warning_checks,
        notes=_metadata_lines(result, "notes"),
        seconds=(stats.end_time or 0) - (stats.start_time or 0),
        dbt_log="\n".join(dbt_log.getvalue().splitlines()[-40:]),
        interrupted=interrupted,
    )


def _problems(
    result: dg.ExecuteInProcessResult, failed_checks: list[str]
) -> tuple[list[str], bool]:
    """Failed steps (our Failure descriptions, else the error), then the failed blocking checks;
    and whether a step was interrupted (Ctrl-C, SIGTERM)."""
    # A step whose blocking check failed fails too; the check's description says why.
    check_steps = {
        event.step_key
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        and not event.asset_check_evaluation_data.passed
    }
    messages, interrupted = [], False
    for event in result.all_events:
        data = event.step_failure_data if event.is_step_failure else None
        if data is None:
            continue
        if data.error and data.error.cls_name == DagsterExecutionInterruptedError.__name__:
            interrupted = True
        elif data.user_failure_data and data.user_failure_data.description:
            messages.append(data.user_failure_data.description)
        elif data.error and event.step_key not in check_steps:
            error = data.error
            while error.cause is not None and "dagster" in error.cls_name.lower():
                error = error.cause  # the user's own error, not Dagster's wrapper of it
            messages.append(error.message.strip())
    return messages + failed_checks, interrupted


def _failed_checks(result: dg.ExecuteInProcessResult) -> tuple[list[str], list[str]]:
    """Descriptions of the checks that failed: (ERROR severity, WARN severity)."""
    errors, warnings = [], []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        text = evaluation.description or f"check {evaluation.check_name}"
        if evaluation.severity == dg.AssetCheckSeverity.ERROR:
            errors.append(text)
        else:
            warnings.append(text)
    return errors, warnings


def _metadata_lines(result: dg.ExecuteInProcessResult, key: str) -> list[str]:
    """Lines the raw assets recorded under `key`: "warnings" (e.g. a header-only file) or
    "notes" (same content as already landed: not reloaded)."""
    lines = []
    for event in result.get_asset_materialization_events():
        text = event.materialization.metadata.get(key)
        if text is not None and text.value != "none":
            lines.extend(text.value.splitlines())
    return lines
