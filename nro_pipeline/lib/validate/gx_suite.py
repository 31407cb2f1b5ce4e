"""GX Core runs of a kind's suite (`expectations/<kind>.json`) on pandas frames of landed rows.

Numeric rules run on derived `n_<column>` columns so that the text columns keep what was
delivered. An expectation with `"meta": {"mask_values": true}` (participant ids that look like
names) never shows the offending values; one with `"severity": "warning"` is reported as a warning
(its rows load), every other one blocks. One file's validation may take several runs (one per
group of rules, `rule_groups.py`): they share one ephemeral GX context (`GxSession`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from nro_pipeline import settings
from nro_pipeline.lib.ingest.quarantine_table import HIDDEN
from nro_pipeline.lib.validate.gx_import import import_great_expectations
from nro_pipeline.lib.validate.outcome import RuleFailure

ROW_NUMBER = "_row_number"
COLUMN_ARGUMENTS = ("column", "column_A", "column_B", "column_list")
WARNING_SEVERITY = "warning"


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


def rule_name(expectation: dict[str, Any]) -> str:
    return expectation.get("description") or expectation["type"]


@dataclass(frozen=True)
class BrokenRule:
    """A row-level rule some rows of a frame break, as GX reported it."""

    rule: str
    unexpected_count: int
    entries: list[dict[str, Any]]  # GX's unexpected index entries: row number and values
    warning: bool
    masked_columns: frozenset[str]  # columns never to show for these rows (empty: none)
    item: Any = field(default=None, compare=False, repr=False)  # GX's result, for Data Docs

    def count_rows(self, unexpected: int, rows: int) -> None:
        """Data Docs count rows, not the tuples GX was handed: `unexpected` of `rows`."""
        if self.item is not None:
            count_file_rows(self.item, unexpected, rows)

    @property
    def rows(self) -> list[int]:
        return [int(entry[ROW_NUMBER]) for entry in self.entries]


class GxSession:
    """One ephemeral GX context for every run of one file's validation, kept for Data Docs."""

    def __init__(self) -> None:
        gx = import_great_expectations()
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine import pandas_execution_engine

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        # GX hashes every row of a frame under 1 GB only to store a fingerprint among the batch's
        # markers: a third of its time on a national GIA file. The landed file is fingerprinted
        # already (its sha256 in raw.landed_files), so GX's hash is skipped; verdicts and Data
        # Docs do not use it.
        pandas_execution_engine.HASH_THRESHOLD = 0
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._source = self.context.data_sources.add_pandas("landing")
        self.results: list[Any] = []

    def validate(
        self,
        frame: pd.DataFrame,
        suite: dict[str, Any],
        expectations: list[dict[str, Any]],
        parameters: dict[str, Any],
    ) -> Any:
        """Run the expectations on the frame; returns GX's validation result."""
        import great_expectations as gx

        name = f"{suite['name']}_{len(self.results) + 1}"
        batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("year")
        gx_suite = self.context.suites.add(
            gx.ExpectationSuite(name=name, expectations=expectations, meta=suite.get("meta", {}))
        )
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
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
        self.results.append(result)
        return result


def count_file_rows(item: Any, unexpected: int, rows: int) -> None:
    """Make one of GX's results count `unexpected` of the file's `rows`, for Data Docs: GX was
    handed distinct tuples, or only the rows DuckDB flagged."""
    if item.result is None or "element_count" not in item.result:
        return
    share = 100 * unexpected / rows if rows else 0.0
    item.result.update(
        element_count=rows,
        unexpected_count=unexpected,
        unexpected_percent=share,
        unexpected_percent_total=share,
        unexpected_percent_nonmissing=share,
    )


def failures_of(result: Any) -> tuple[list[RuleFailure], list[BrokenRule]]:
    """Failures about the file as a whole (a rule on the table, or one that could not be
    checked), and the row-level rules broken, from one GX validation result."""
    failures: list[RuleFailure] = []
    broken: list[BrokenRule] = []
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
        entries = [e for e in details.get("unexpected_index_list") or [] if ROW_NUMBER in e]
        masked = (
            frozenset(c.removeprefix("n_") for c in expectation_columns(config.to_json_dict()))
            if (config.meta or {}).get("mask_values")
            else frozenset()
        )
        count = int(details.get("unexpected_count") or len(entries))
        warning = str(getattr(config.severity, "value", config.severity)) == WARNING_SEVERITY
        broken.append(BrokenRule(rule, count, entries, warning, masked, item))
    return failures, broken


def offending_values(
    entry: dict[str, Any], notes: dict[str, dict[str, str]], hidden: set[str]
) -> str:
    """The values a row broke a rule with, in words: «exam=XYZ, score=empty»."""
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
