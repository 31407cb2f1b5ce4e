"""One GX Core run of a kind's suite (`expectations/<kind>.json`) on a pandas frame of landed rows.

Numeric rules run on derived `n_<column>` columns so that the text columns keep what was
delivered. An expectation with `"meta": {"mask_values": true}` (participant ids that look like
names) never shows the offending values; one with `"severity": "warning"` is reported as a warning
(its rows load), every other one blocks.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from nro_pipeline import settings
from nro_pipeline.lib.ingest.quarantine_table import HIDDEN
from nro_pipeline.lib.validate.outcome import RuleFailure

ROW_NUMBER = "_row_number"
COLUMN_ARGUMENTS = ("column", "column_A", "column_B", "column_list")
WARNING_SEVERITY = "warning"
GxRuns = list[tuple[Any, Any]]  # (GX context, validation result) of each run, for Data Docs


@cache
def load_suite(
    kind_name: str, expectations_dir: Path = settings.EXPECTATIONS_DIR
) -> dict[str, Any]:
    return json.loads((expectations_dir / f"{kind_name}.json").read_text(encoding="utf-8"))


def expectation_columns(expectation: dict[str, Any]) -> list[str]:
    columns: list[str] = []
    for argument in COLUMN_ARGUMENTS:
        value = expectation["kwargs"].get(argument)
        if value is not None:
            columns.extend(value if isinstance(value, list) else [value])
    return columns


def _offending_values(
    entry: dict[str, Any], notes: dict[str, dict[str, str]], hidden: set[str]
) -> str:
    parts = []
    for key, value in entry.items():
        if key == ROW_NUMBER:
            continue
        name = key.removeprefix("n_")
        if name in hidden:
            parts.append(f"{name}={HIDDEN}")
            continue
        text = f"{name}={_plain(value)}"
        if (note := notes.get(name, {}).get(str(value))) is not None:
            text += f" ({note})"
        parts.append(text)
    return ", ".join(parts)


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "empty"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _gx_result(
    frame: pd.DataFrame, suite: dict[str, Any], runnable: list[dict], parameters: dict[str, Any]
) -> tuple[Any, Any]:
    """Run the expectations in an ephemeral GX context; returns (context, result)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("landing")
        .add_dataframe_asset(suite["name"])
        .add_batch_definition_whole_dataframe("year")
    )
    gx_suite = context.suites.add(
        gx.ExpectationSuite(name=suite["name"], expectations=runnable, meta=suite.get("meta", {}))
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite['name']}_year", data=batch, suite=gx_suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [ROW_NUMBER],
            "return_unexpected_index_query": False,
        },
    )
    return context, result


def run_suite(
    frame: pd.DataFrame,
    suite: dict[str, Any],
    parameters: dict[str, Any],
    notes: dict[str, dict[str, str]] | None = None,
    hidden: dict[int, set[str]] | None = None,
    gx_runs: GxRuns | None = None,
) -> tuple[int, list[RuleFailure]]:
    """Validate the frame with GX; expectations on columns the file lacks are left to the
    structure rule, which names the missing columns once. `gx_runs` collects (GX context, result)
    for the Data Docs. Failures of warning rules come back with `warning=True`.

    `hidden` is filled with row → columns of masked rules, and every failure's values are shown
    with those columns hidden (a row can break a masked rule and another one)."""
    notes = notes or {}
    hidden = {} if hidden is None else hidden
    runnable = [
        e for e in suite["expectations"] if all(c in frame.columns for c in expectation_columns(e))
    ]
    context, result = _gx_result(frame, suite, runnable, parameters)
    if gx_runs is not None:
        gx_runs.append((context, result))
    failures, broken = _table_failures_and_broken_rows(result, hidden)
    # Values are rendered once every masked row is known.
    for rule, count, index_list, warning in broken:
        rows = [int(entry[ROW_NUMBER]) for entry in index_list]
        values = {
            int(entry[ROW_NUMBER]): _offending_values(
                entry, notes, hidden.get(int(entry[ROW_NUMBER]), set())
            )
            for entry in index_list
        }
        failures.append(RuleFailure(rule, rows, max(count, len(rows)), values, warning=warning))
    return len(runnable), failures


def _table_failures_and_broken_rows(
    result: Any, hidden: dict[int, set[str]]
) -> tuple[list[RuleFailure], list[tuple[str, int, list[dict[str, Any]], bool]]]:
    """Failures about the file as a whole, and (rule, count, GX index entries, warning) of the
    row-level ones; rows of masked rules are added to `hidden`."""
    failures: list[RuleFailure] = []
    broken = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        rule = config.description or config.type
        details = item.result or {}
        if config.type.startswith("expect_table_"):
            missing = (details.get("details") or {}).get("mismatched", {}).get("missing", [])
            rule = f"{rule} (missing: {', '.join(missing)})" if missing else rule
            failures.append(RuleFailure(rule, rows=[1], unexpected_count=1, table_level=True))
            continue
        exception = (item.exception_info or {}).get("exception_message")
        if exception:
            failures.append(
                RuleFailure(f"{rule} (could not be checked: {exception})", [], 0, table_level=True)
            )
            continue
        index_list = [e for e in details.get("unexpected_index_list") or [] if ROW_NUMBER in e]
        if (config.meta or {}).get("mask_values"):
            columns = {c.removeprefix("n_") for c in expectation_columns(config.to_json_dict())}
            for entry in index_list:
                hidden.setdefault(int(entry[ROW_NUMBER]), set()).update(columns)
        count = int(details.get("unexpected_count") or len(index_list))
        warning = str(getattr(config.severity, "value", config.severity)) == WARNING_SEVERITY
        broken.append((rule, count, index_list, warning))
    return failures, broken
