"""Check verdicts shown per results year, also when one run covers several years.

Dagster records a partitioned check's verdict under the run's partition when the run has one. A
run over several years (a backfill, `nro run`'s model build) gives one verdict; each year's verdict
is then logged as well, so the UI shows every year its own result.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg


def log_year_verdicts(
    context: dg.OpExecutionContext,
    asset_key: dg.AssetKey,
    check_name: str,
    verdicts: Iterable[tuple[int, bool, str | None]],
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
) -> None:
    """Log (year, passed, description) verdicts of a check as per-year evaluations."""
    for year, passed, description in verdicts:
        context.log_event(
            dg.AssetCheckEvaluation(
                asset_key=asset_key,
                check_name=check_name,
                passed=passed,
                severity=severity,
                description=description,
                metadata={"year": year},
                partition=str(year),
            )
        )


def with_year_verdicts(context: dg.AssetExecutionContext, event: object, years: list[int]) -> None:
    """For a dbt test's result in a run over several years: its verdict for each of those years
    (dbt runs each data test once over the run's years)."""
    if len(years) < 2 or not isinstance(event, dg.AssetCheckResult):
        return
    if event.asset_key is None or event.check_name is None:
        return
    log_year_verdicts(
        context.op_execution_context,
        event.asset_key,
        event.check_name,
        [(year, event.passed, event.description) for year in years],
        event.severity,
    )
