"""Great Expectations (GX Core 1.x) validation of a landed file, with failures in plain words.

The suites are the JSON files in `expectations/` (one per file kind). A year's rows are read back
from `raw` and validated as a pandas DataFrame (GX's SQL datasource is broken on DuckDB); numeric
rules run on derived `n_<column>` columns so that the text columns keep what was delivered.

Every rule is either about the file as a whole (`expect_table_*`, or a rule that could not be
checked) — such a failure always blocks the year — or about rows: those rows can be quarantined
(`quarantine.py` decides, by policy, whether the year may still refresh without them).
An expectation with `"meta": {"mask_values": true}` (participant ids that look like names) never
shows the offending values: not in the message, the run log nor the quarantine table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import ColumnType, FileKind
from nro_pipeline.lib.ingest.quarantine import (
    HIDDEN,
    QuarantinePolicy,
    Verdict,
    max_share,
    quarantine_policy,
    record_rejected_rows,
    verdict,
)
from nro_pipeline.lib.ingest.raw_loader import RAW_SCHEMA, landed_columns
from nro_pipeline.lib.validate.gx_data_docs import build_data_docs

ROW_NUMBER = "_row_number"
MAX_ROWS_IN_MESSAGE = 10
_COLUMN_ARGUMENTS = ("column", "column_A", "column_B", "column_list")
# Above this many rows a file is validated in hash partitions of about this size, so that GX's
# pandas frame stays within a few hundred MiB whatever the size of the region.
VALIDATION_BATCH_ROWS = 1_000_000
_CATEGORY_MAX_SHARE = 10  # a text column with at most rows/10 distinct values becomes a category
UNIQUENESS_RULES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    rows: list[int]
    unexpected_count: int
    values: dict[int, str] = field(default_factory=dict)  # row → offending values, every row
    table_level: bool = False  # about the file as a whole: never quarantined, always blocks

    def describe(self, source_file: str) -> str:
        if not self.rows or self.table_level:
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
    content_hash: str = ""
    hidden: dict[int, set[str]] = field(default_factory=dict)  # row → columns never to show
    data_docs: Path | None = None  # the GX Data Docs page of this run

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def table_failures(self) -> list[RuleFailure]:
        return [f for f in self.failures if f.table_level]

    @property
    def row_failures(self) -> list[RuleFailure]:
        return [f for f in self.failures if not f.table_level]

    @property
    def rejected_rows(self) -> set[int]:
        """Rows that break at least one row-level rule (the rows quarantine holds)."""
        return {row for f in self.row_failures for row in f.rows}

    def message(self) -> str:
        if self.success:
            return f"{self.source_file}: {self.rows} rows pass all {self.expectations_run} rules."
        return "\n".join(f.describe(self.source_file) for f in self.failures)


@dataclass(frozen=True)
class SuiteContext:
    """What the suites compare against, and notes that explain an offending value."""

    parameters: dict[str, list[str]]
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # column → value → note


@cache
def load_suite(
    kind_name: str, expectations_dir: Path = settings.EXPECTATIONS_DIR
) -> dict[str, Any]:
    return json.loads((expectations_dir / f"{kind_name}.json").read_text(encoding="utf-8"))


def validation_frame(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    partition: tuple[int, int, list[str]] | None = None,
) -> pd.DataFrame:
    """The year's landed rows as text, the columns the file had, plus numeric `n_` columns.

    `partition` = (index, count, key columns): only the rows whose key hashes to `index` modulo
    `count`, so that rows with equal keys always meet in the same partition."""
    present = [c for c in kind.column_names if c in landed_columns(con, year, kind)]
    # Numbers are parsed by DuckDB (TRY_CAST: not a number → empty), faster than pandas here.
    numeric = [c.name for c in kind.columns if c.name in present and c.type is not ColumnType.TEXT]
    selected = [f'"{c}"' for c in present] + [ROW_NUMBER]
    selected += [f'TRY_CAST("{c}" AS DOUBLE) AS "n_{c}"' for c in numeric]
    marks = [f"mark_{m}" for m in range(2, 6)]
    if all(m in numeric for m in marks):
        # empty unless all four marks are numbers
        selected.append(
            " + ".join(f'TRY_CAST("{m}" AS DOUBLE)' for m in marks) + " AS n_mark_total"
        )
    where, parameters = "year = ?", [year]
    if partition is not None:
        index, count, keys = partition
        hashed = ", ".join(f'"{k}"' for k in keys) if keys else ROW_NUMBER
        where += f" AND hash({hashed}) % ? = ?"
        parameters += [count, index]
    # Through Arrow: several times faster than .df() for millions of text cells.
    table = con.sql(
        f"""SELECT {", ".join(selected)} FROM {RAW_SCHEMA}.{kind.name}
            WHERE {where} ORDER BY {ROW_NUMBER}""",
        params=parameters,
    ).to_arrow_table()
    return table.to_pandas().astype(_categories(table))


def _categories(table: pa.Table) -> dict[str, str]:
    """Text columns with few distinct values (codes, scores, school ids), as pandas categories:
    GX filters the whole frame for every conditional rule, and taking rows of a categorical costs
    an integer copy instead of a copy of every string."""
    return {
        name: "category"
        for name, column in zip(table.column_names, table.columns, strict=True)
        if pa.types.is_string(column.type)
        and pc.count_distinct(column).as_py() <= table.num_rows // _CATEGORY_MAX_SHARE
    }


def suite_context(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> SuiteContext:
    """The year's registry, and what earlier registries say about schools missing from it.

    - `unregistered_school_ids`: the file's school_ids that neither this year's registry lists nor
      an earlier registry merged into a successor (rule «school_id is a school of this year's
      registry»; a merged school is reported once, by the more specific rule below). A school
      merged during the year (successor_id set this year) is still in the registry and still
      reports that year's results.
    - `merged_school_ids`: schools an earlier year's registry marked as merged into a successor
      and that this year's registry does not list; their results belong under the successor
      (rule «… merged into a successor in an earlier year»).
    - `unregistered_successor_ids` (registry only): successor_ids the registry does not list.
    The membership rules are stated by GX as "not in the set of ids the registry lacks": the same
    rows fail as with "in the registry", but the set stays small (a 40,000-id set in an expectation
    made GX about ten times slower, it copies its configuration per metric).
    Notes name the successor (following a chain of mergers to a school of this year's registry)
    or the last registry that listed a school, next to each offending school_id.
    """
    try:
        history = con.execute(
            f"""SELECT year, school_id, successor_id FROM {RAW_SCHEMA}.schools
                WHERE year <= ? AND school_id IS NOT NULL ORDER BY year""",
            [year],
        ).fetchall()
    except duckdb.CatalogException:
        history = []
    registry = {school for y, school, _ in history if y == year}
    merged: dict[str, tuple[str, int]] = {}
    last_listed: dict[str, int] = {}
    for y, school, successor in history:
        if y < year:
            last_listed[school] = y
            if successor and school not in merged:
                merged[school] = (successor, y)
    merged = {school: merge for school, merge in merged.items() if school not in registry}
    notes: dict[str, str] = {}
    for school, last in last_listed.items():
        if school not in registry:
            notes[school] = f"last listed in the {last} registry"
    for school, (successor, merged_in) in merged.items():
        current, seen = successor, {school}
        while current in merged and current not in seen:  # A → B → C: report under C
            seen.add(current)
            current = merged[current][0]
        now = "" if current == successor else f", now part of {current}"
        notes[school] = f"merged into {successor} by the {merged_in} registry{now}"
    known = registry | set(merged)
    parameters = {
        "merged_school_ids": sorted(merged),
        "unregistered_school_ids": sorted(_distinct(con, year, kind, "school_id") - known),
    }
    if "successor_id" in kind.column_names:
        successors = _distinct(con, year, kind, "successor_id")
        parameters["unregistered_successor_ids"] = sorted(successors - registry)
    return SuiteContext(parameters=parameters, notes={"school_id": notes})


def _distinct(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, column: str) -> set[str]:
    rows = con.execute(
        f"""SELECT DISTINCT "{column}" FROM {RAW_SCHEMA}.{kind.name}
            WHERE year = ? AND "{column}" IS NOT NULL""",
        [year],
    ).fetchall()
    return {value for (value,) in rows}


def _expectation_columns(expectation: dict[str, Any]) -> list[str]:
    columns: list[str] = []
    for argument in _COLUMN_ARGUMENTS:
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


def run_suite(
    frame: pd.DataFrame,
    suite: dict[str, Any],
    parameters: dict[str, Any],
    notes: dict[str, dict[str, str]] | None = None,
    hidden: dict[int, set[str]] | None = None,
    gx_runs: list[tuple[Any, Any]] | None = None,
) -> tuple[int, list[RuleFailure]]:
    """Validate the frame with GX; expectations on columns the file lacks are left to the
    structure rule, which names the missing columns once. `gx_runs` collects (GX context, result)
    for the Data Docs.

    `hidden` is filled with row → columns of masked rules, and every failure's values are shown
    with those columns hidden (a row can break a masked rule and another one)."""
    notes = notes or {}
    hidden = {} if hidden is None else hidden
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
    if gx_runs is not None:
        gx_runs.append((context, result))
    failures: list[RuleFailure] = []
    broken: list[tuple[str, int, list[dict[str, Any]]]] = []  # rule, count, GX index entries
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
            columns = {c.removeprefix("n_") for c in _expectation_columns(config.to_json_dict())}
            for entry in index_list:
                hidden.setdefault(int(entry[ROW_NUMBER]), set()).update(columns)
        count = int(details.get("unexpected_count") or len(index_list))
        broken.append((rule, count, index_list))
    # Values are rendered once every masked row is known.
    for rule, count, index_list in broken:
        rows = [int(entry[ROW_NUMBER]) for entry in index_list]
        values = {
            int(entry[ROW_NUMBER]): _offending_values(
                entry, notes, hidden.get(int(entry[ROW_NUMBER]), set())
            )
            for entry in index_list
        }
        failures.append(RuleFailure(rule, rows, max(count, len(rows)), values))
    return len(runnable), failures


def validate_landed_year(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind
) -> ValidationOutcome:
    landed = con.execute(
        f"""SELECT source_file, rows, content_hash, extra_columns FROM {RAW_SCHEMA}.landed_files
            WHERE year = ? AND kind = ?""",
        [year, kind.name],
    ).fetchall()
    if not landed:
        raise LookupError(f"nothing of kind {kind.name} has been landed for {year}")
    [(source_file, rows, content_hash, extra_columns)] = landed
    context = suite_context(con, year, kind)
    hidden: dict[int, set[str]] = {}
    suite = load_suite(kind.name)
    partitions = -(-int(rows or 0) // VALIDATION_BATCH_ROWS)
    gx_runs: list[tuple[Any, Any]] = []
    if partitions <= 1:
        frame = validation_frame(con, year, kind)
        expectations_run, failures = run_suite(
            frame, suite, context.parameters, context.notes, hidden, gx_runs
        )
    else:
        expectations_run, failures = _run_suite_in_partitions(
            con, year, kind, suite, context, hidden, partitions, gx_runs
        )
    data_docs = build_data_docs(gx_runs[-1][0], [r for _, r in gx_runs], kind.name, year)
    extras = json.loads(extra_columns or "[]")
    if extras:
        # A required column renamed to something unknown shows up as missing plus an extra.
        unknown = ", ".join(f"«{e}»" for e in extras)
        failures = [
            replace(f, rule=f"{f.rule}; the file has unknown columns {unknown} — renamed?")
            if f.table_level and "(missing: " in f.rule
            else f
            for f in failures
        ]
    return ValidationOutcome(
        kind.name,
        year,
        source_file,
        rows,
        expectations_run,
        failures,
        content_hash,
        hidden,
        data_docs,
    )


def _unique_key(suite: dict[str, Any], present: list[str]) -> list[str]:
    """The columns of the suite's uniqueness rules, so that duplicates share a partition."""
    keys: list[str] = []
    for expectation in suite["expectations"]:
        if expectation["type"] in UNIQUENESS_RULES:
            keys.extend(c for c in _expectation_columns(expectation) if c not in keys)
    # A uniqueness rule on a column the file lacks does not run; nothing to keep together then.
    return keys if all(k in present for k in keys) else []


def _run_suite_in_partitions(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    suite: dict[str, Any],
    context: SuiteContext,
    hidden: dict[int, set[str]],
    partitions: int,
    gx_runs: list[tuple[Any, Any]],
) -> tuple[int, list[RuleFailure]]:
    """`run_suite` over hash partitions of the rows, merged into the failures of one run.

    A national GIA file has millions of rows; GX on one pandas frame of them needs several GiB.
    Every rule but uniqueness is about one row, and uniqueness is exact too because rows are
    partitioned by the hash of the unique key (equal keys meet in one partition). Rules about the
    file as a whole give the same answer in every partition and are reported once; row failures
    are summed, their rows put back in file order and rules kept in suite order.
    """
    present = [c for c in kind.column_names if c in landed_columns(con, year, kind)]
    keys = _unique_key(suite, present)
    order = {(e.get("description") or e["type"]): i for i, e in enumerate(suite["expectations"])}
    expectations_run = 0
    table_failures: dict[str, RuleFailure] = {}
    row_failures: dict[str, list[RuleFailure]] = {}
    for index in range(partitions):
        frame = validation_frame(con, year, kind, (index, partitions, keys))
        if frame.empty and (index < partitions - 1 or expectations_run):
            continue  # an empty partition has nothing to say that another one does not
        expectations_run, failures = run_suite(
            frame, suite, context.parameters, context.notes, hidden, gx_runs
        )
        del frame
        for failure in failures:
            if failure.table_level:
                table_failures.setdefault(failure.rule, failure)
            else:
                row_failures.setdefault(failure.rule, []).append(failure)
    merged = list(table_failures.values())
    for rule in sorted(row_failures, key=lambda r: order.get(r, len(order))):
        parts = row_failures[rule]
        values = {row: text for part in parts for row, text in part.values.items()}
        rows = sorted(row for part in parts for row in part.rows)
        count = sum(part.unexpected_count for part in parts)
        merged.append(RuleFailure(rule, rows, max(count, len(rows)), values))
    return expectations_run, merged


def check_landed_year(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    policy: QuarantinePolicy | None = None,
    allowed_share: float | None = None,
) -> tuple[ValidationOutcome, Verdict]:
    """The GX check of a landed file: validate, rewrite its quarantine rows, decide by policy
    (default: `NRO_QUARANTINE_POLICY`, `NRO_QUARANTINE_MAX_SHARE`). Needs a writable connection."""
    policy = policy or quarantine_policy()
    allowed_share = max_share() if allowed_share is None else allowed_share
    outcome = validate_landed_year(con, year, kind)
    quarantined = record_rejected_rows(con, outcome, kind)
    return outcome, verdict(outcome, quarantined, policy, allowed_share)
