"""Great Expectations (GX Core 1.x) validation of a landed file, with failures in plain words.

The suites are the JSON files in `expectations/` (one per file kind; `gx_suite.py` runs one). A
year's rows are read back from `raw` and validated as a pandas DataFrame (GX's SQL datasource is
broken on DuckDB); numeric rules run on derived `n_<column>` columns so that the text columns keep
what was delivered.

Every rule is either about the file as a whole (`expect_table_*`, or a rule that could not be
checked) — such a failure always blocks the year — or about rows: those rows can be quarantined
(`quarantine_policy.py` decides, by policy, whether the year may still refresh without them). A
rule of severity `warning` never blocks: its rows load and the run names them.
An expectation with `"meta": {"mask_values": true}` (participant ids that look like names) never
shows the offending values: not in the message, the run log nor the quarantine table.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nro_pipeline.lib.contract.file_kinds import ColumnType, FileKind
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA, landed_columns
from nro_pipeline.lib.validate.gx_data_docs import build_data_docs, remove_data_docs
from nro_pipeline.lib.validate.gx_suite import (
    ROW_NUMBER,
    GxRuns,
    expectation_columns,
    load_suite,
    run_suite,
)
from nro_pipeline.lib.validate.outcome import RuleFailure, ValidationOutcome
from nro_pipeline.lib.validate.quarantine_policy import (
    QuarantinePolicy,
    Verdict,
    max_share,
    quarantine_policy,
    verdict,
)
from nro_pipeline.lib.validate.rejected_rows import record_rejected_rows
from nro_pipeline.lib.validate.suite_context import SuiteContext, suite_context

__all__ = [
    "RuleFailure",
    "ValidationOutcome",
    "check_landed_year",
    "load_suite",
    "run_suite",
    "validate_landed_year",
    "validation_frame",
]

# Above this many rows a file is validated in hash partitions of about this size, so that GX's
# pandas frame stays within a few hundred MiB whatever the size of the region.
VALIDATION_BATCH_ROWS = 1_000_000
_CATEGORY_MAX_SHARE = 10  # a text column with at most rows/10 distinct values becomes a category
UNIQUENESS_RULES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)


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
    gx_runs: GxRuns = []
    if partitions <= 1:
        frame = validation_frame(con, year, kind)
        expectations_run, failures = run_suite(
            frame, suite, context.parameters, context.notes, hidden, gx_runs
        )
    else:
        expectations_run, failures = _run_suite_in_partitions(
            con, year, kind, suite, context, hidden, partitions, gx_runs
        )
    # Data Docs are read to see what is wrong: rendered for a file that breaks or warns, and the
    # page of an earlier failure removed once the file passes (a third of the GX time otherwise).
    data_docs = (
        build_data_docs(gx_runs[-1][0], [r for _, r in gx_runs], kind.name, year)
        if failures
        else remove_data_docs(kind.name, year)
    )
    failures = _name_unknown_columns(failures, json.loads(extra_columns or "[]"))
    return ValidationOutcome(
        kind.name,
        year,
        source_file,
        rows,
        expectations_run,
        [f for f in failures if not f.warning],
        content_hash,
        hidden,
        data_docs,
        warnings=[f for f in failures if f.warning],
    )


def _name_unknown_columns(failures: list[RuleFailure], extras: list[str]) -> list[RuleFailure]:
    """A required column renamed to something unknown shows up as missing plus an extra."""
    if not extras:
        return failures
    unknown = ", ".join(f"«{e}»" for e in extras)
    return [
        replace(f, rule=f"{f.rule}; the file has unknown columns {unknown} — renamed?")
        if f.table_level and "(missing: " in f.rule
        else f
        for f in failures
    ]


def _unique_key(suite: dict[str, Any], present: list[str]) -> list[str]:
    """The columns of the suite's uniqueness rules, so that duplicates share a partition."""
    keys: list[str] = []
    for expectation in suite["expectations"]:
        if expectation["type"] in UNIQUENESS_RULES:
            keys.extend(c for c in expectation_columns(expectation) if c not in keys)
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
    gx_runs: GxRuns,
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
        warning = parts[0].warning
        merged.append(RuleFailure(rule, rows, max(count, len(rows)), values, warning=warning))
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
