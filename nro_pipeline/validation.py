"""Great Expectations (GX Core 1.x) validation of a landed file, with failures in plain words.

The suites are the JSON files in `expectations/` (one per file kind). A year's rows are read back
from `raw` and validated as a pandas DataFrame (GX's SQL datasource is broken on DuckDB); numeric
rules run on derived `n_<column>` columns so that the text columns keep what was delivered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from nro_pipeline import settings
from nro_pipeline.file_kinds import ColumnType, FileKind
from nro_pipeline.raw_loader import RAW_SCHEMA, landed_columns

ROW_NUMBER = "_row_number"
MAX_ROWS_IN_MESSAGE = 10
_COLUMN_ARGUMENTS = ("column", "column_A", "column_B", "column_list")


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    rows: list[int]
    unexpected_count: int
    values: dict[int, str] = field(default_factory=dict)  # row → offending values, for a few rows

    def describe(self, source_file: str) -> str:
        if not self.rows:
            return f"{source_file}: rule «{self.rule}» is broken."
        shown = [
            f"{row} ({self.values[row]})" if row in self.values else str(row)
            for row in self.rows[:MAX_ROWS_IN_MESSAGE]
        ]
        count = self.unexpected_count
        where = f"row {shown[0]}" if count == 1 else f"{count} rows: {', '.join(shown)}"
        if count > len(shown):
            where += f" and {count - len(shown)} more"
        return f"{source_file}: rule «{self.rule}» is broken in {where}."


@dataclass(frozen=True)
class ValidationOutcome:
    kind: str
    year: int
    source_file: str
    rows: int
    expectations_run: int
    failures: list[RuleFailure]

    @property
    def success(self) -> bool:
        return not self.failures

    def message(self) -> str:
        if self.success:
            return f"{self.source_file}: {self.rows} rows pass all {self.expectations_run} rules."
        return "\n".join(f.describe(self.source_file) for f in self.failures)


@cache
def load_suite(
    kind_name: str, expectations_dir: Path = settings.EXPECTATIONS_DIR
) -> dict[str, Any]:
    return json.loads((expectations_dir / f"{kind_name}.json").read_text(encoding="utf-8"))


def validation_frame(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> pd.DataFrame:
    """The year's landed rows as text, the columns the file had, plus numeric `n_` columns."""
    present = [c for c in kind.column_names if c in landed_columns(con, year, kind)]
    selected = ", ".join([f'"{c}"' for c in present] + [ROW_NUMBER])
    frame = con.execute(
        f"SELECT {selected} FROM {RAW_SCHEMA}.{kind.name} WHERE year = ? ORDER BY {ROW_NUMBER}",
        [year],
    ).df()
    for column in kind.columns:
        if column.name in present and column.type is not ColumnType.TEXT:
            frame[f"n_{column.name}"] = pd.to_numeric(frame[column.name], errors="coerce")
    marks = [f"n_mark_{m}" for m in range(2, 6)]
    if all(m in frame for m in marks):
        frame["n_mark_total"] = frame[marks].sum(axis=1, min_count=4)
    return frame


def suite_parameters(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, list[str]]:
    """Values the suites compare against: the year's registry of schools."""
    try:
        rows = con.execute(
            f"SELECT school_id FROM {RAW_SCHEMA}.schools WHERE year = ?", [year]
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    # A school merged during the year (successor_id set) still reports that year's results.
    return {"registry_school_ids": sorted({r[0] for r in rows if r[0] is not None})}


def _expectation_columns(expectation: dict[str, Any]) -> list[str]:
    columns: list[str] = []
    for argument in _COLUMN_ARGUMENTS:
        value = expectation["kwargs"].get(argument)
        if value is not None:
            columns.extend(value if isinstance(value, list) else [value])
    return columns


def _offending_values(entry: dict[str, Any]) -> str:
    values = {k.removeprefix("n_"): v for k, v in entry.items() if k != ROW_NUMBER}
    return ", ".join(f"{k}={_plain(v)}" for k, v in values.items())


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "empty"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def run_suite(
    frame: pd.DataFrame, suite: dict[str, Any], parameters: dict[str, Any]
) -> tuple[int, list[RuleFailure]]:
    """Validate the frame with GX; expectations on columns the file lacks are left to the
    structure rule, which names the missing columns once."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    runnable = [
        e for e in suite["expectations"] if all(c in frame.columns for c in _expectation_columns(e))
    ]
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
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        rule = config.description or config.type
        details = item.result or {}
        if config.type == "expect_table_columns_to_match_set":
            missing = (details.get("details") or {}).get("mismatched", {}).get("missing", [])
            rule = f"{rule} (missing: {', '.join(missing)})" if missing else rule
            failures.append(RuleFailure(rule, rows=[1], unexpected_count=1))
            continue
        exception = (item.exception_info or {}).get("exception_message")
        if exception:
            failures.append(RuleFailure(f"{rule} (could not be checked: {exception})", [], 0))
            continue
        index_list = details.get("unexpected_index_list") or []
        rows = [int(entry[ROW_NUMBER]) for entry in index_list if ROW_NUMBER in entry]
        failures.append(
            RuleFailure(
                rule=rule,
                rows=rows,
                unexpected_count=int(details.get("unexpected_count") or len(rows)),
                values={
                    int(entry[ROW_NUMBER]): _offending_values(entry)
                    for entry in index_list[:MAX_ROWS_IN_MESSAGE]
                    if ROW_NUMBER in entry
                },
            )
        )
    return len(runnable), failures


def validate_landed_year(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind
) -> ValidationOutcome:
    landed = con.execute(
        f"SELECT source_file, rows FROM {RAW_SCHEMA}.landed_files WHERE year = ? AND kind = ?",
        [year, kind.name],
    ).fetchone()
    if landed is None:
        raise LookupError(f"nothing of kind {kind.name} has been landed for {year}")
    source_file, rows = landed
    frame = validation_frame(con, year, kind)
    expectations_run, failures = run_suite(
        frame, load_suite(kind.name), suite_parameters(con, year)
    )
    return ValidationOutcome(kind.name, year, source_file, rows, expectations_run, failures)
