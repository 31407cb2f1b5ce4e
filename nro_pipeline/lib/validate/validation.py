"""Great Expectations (GX Core 1.x) validation of a landed file, with failures in plain words.

The suites are the JSON files in `expectations/` (one per file kind). A year's rows are read back
from `raw` and validated as pandas DataFrames (GX's SQL datasource failed on DuckDB); numeric
rules run on derived `n_<column>` columns so that the text columns keep what was delivered.
Rules about one row at a time are validated on the distinct values of the columns they read and
their offending tuples traced back to every row holding them (`rule_groups.py`): the same verdict,
rows and values as on all rows, at a fraction of GX's per-row cost on a national file.
DuckDB screens first (`rule_sql.py`): each row rule compiled to SQL, GX is handed only the tuples
(or, for uniqueness, the rows) that break one, and its verdict on them is the one reported; a
group without any is not handed to GX at all. The table rules always run in GX, so every file is
validated by it; a rule not compiled to SQL runs in GX on every tuple.

Every rule is either about the file as a whole (`expect_table_*`, or a rule that could not be
checked) — such a failure always blocks the year — or about rows: those rows can be quarantined
(`quarantine_policy.py` decides, by policy, whether the year may still refresh without them). A
rule of severity `warning` never blocks: its rows load and the run names them.
An expectation with `"meta": {"mask_values": true}` (participant ids that look like names) never
shows the offending values: not in the message, the run log nor the quarantine table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import duckdb

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA, landed_columns
from nro_pipeline.lib.validate.gx_data_docs import build_data_docs, remove_data_docs
from nro_pipeline.lib.validate.gx_suite import (
    ROW_NUMBER,
    BrokenRule,
    GxSession,
    count_file_rows,
    expectation_columns,
    failures_of,
    load_suite,
    offending_values,
    rule_name,
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
from nro_pipeline.lib.validate.rule_groups import FrameKind, RuleGroup, plan_groups, tuple_bound
from nro_pipeline.lib.validate.rule_sql import group_screen, python_regex
from nro_pipeline.lib.validate.suite_context import SuiteContext, suite_context
from nro_pipeline.lib.validate.validation_frames import (
    derived_columns,
    distinct_counts,
    group_frames,
    rows_of_tuples,
)

__all__ = [
    "RuleFailure",
    "ValidationOutcome",
    "check_landed_year",
    "load_suite",
    "validate_landed_year",
]

_log = logging.getLogger(__name__)
# A frame above this many rows is validated in hash partitions of about this size, so that GX's
# pandas frame stays within a few hundred MiB whatever the size of the region.
VALIDATION_BATCH_ROWS = 1_000_000
UNIQUENESS_RULES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)


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
    suite = load_suite(kind.name)
    present = [c for c in kind.column_names if c in landed_columns(con, year, kind)]
    derived = derived_columns(kind, present)
    # A rule on a column the file lacks is left to the structure rule, which names it once.
    runnable = [
        e for e in suite["expectations"] if all(c in derived for c in expectation_columns(e))
    ]
    counts = distinct_counts(con, year, kind, present)
    groups = plan_groups(runnable, derived, present, counts, int(rows or 0))
    session = GxSession()
    table_failures: dict[str, RuleFailure] = {}
    broken: dict[str, list[tuple[RuleGroup, BrokenRule]]] = {}
    with python_regex(con):
        for group in groups:
            parts = _partitions(group, counts, int(rows or 0))
            screen = (
                None
                if group.frame is FrameKind.HEADER
                else group_screen(list(group.expectations), context.parameters)
            )
            frames = group_frames(con, year, kind, group, present, counts, parts, screen)
            for frame in frames:
                if screen is not None and frame.empty:
                    continue  # DuckDB found no row breaking the group's rules: nothing for GX
                result = session.validate(
                    frame, suite, list(group.expectations), context.parameters
                )
                failures, rules = failures_of(result)
                if screen is not None:
                    _count_file_rows(result, int(rows or 0))
                    if not (failures or rules):  # GX's verdict stands; the SQL is too wide
                        _log.warning(
                            "%s %s: DuckDB flagged %d rows that GX finds no rule broken on "
                            "(rule_sql.py disagrees with GX)",
                            kind.name,
                            year,
                            len(frame),
                        )
                del frame
                for failure in failures:  # the same in every partition: said once
                    table_failures.setdefault(failure.rule, failure)
                for rule in rules:
                    broken.setdefault(rule.rule, []).append((group, rule))
    row_failures, hidden = _row_failures(con, year, kind, broken, context, int(rows or 0))
    failures = [
        *_in_suite_order(list(table_failures.values()), suite),
        *_in_suite_order(row_failures, suite),
    ]
    # Data Docs are read to see what is wrong: rendered for a file that breaks or warns, and the
    # page of an earlier failure removed once the file passes (a third of the GX time otherwise).
    data_docs = (
        build_data_docs(session.context, session.results, kind.name, year)
        if failures
        else remove_data_docs(kind.name, year)
    )
    failures = _name_unknown_columns(failures, json.loads(extra_columns or "[]"))
    return ValidationOutcome(
        kind.name,
        year,
        source_file,
        rows,
        len(runnable),
        [f for f in failures if not f.warning],
        content_hash,
        hidden,
        data_docs,
        warnings=[f for f in failures if f.warning],
    )


def _count_file_rows(result: Any, rows: int) -> None:
    """GX was handed the screened rows only: its Data Docs count the file's rows (a broken rule's
    rows are counted over the file once they are traced, `_row_failures`)."""
    for item in result.results:
        count_file_rows(item, int((item.result or {}).get("unexpected_count") or 0), rows)


def _partitions(group: RuleGroup, counts: dict[str, int], rows: int) -> int:
    """How many hash partitions a group's frame is validated in, for GX's memory.

    Row-wise rules give the same verdict on any split of the tuples; uniqueness stays exact
    because equal tuples hash to one partition. Any other rule on every row (a share of rows
    allowed to fail) needs all rows at once."""
    if group.frame is FrameKind.HEADER:
        return 1
    if group.frame is FrameKind.EVERY_ROW:
        if not all(e["type"] in UNIQUENESS_RULES for e in group.expectations):
            return 1
        size = rows
    else:
        size = tuple_bound(group.columns, counts, rows)
    return max(1, -(-size // VALIDATION_BATCH_ROWS))


def _in_suite_order(failures: list[RuleFailure], suite: dict[str, Any]) -> list[RuleFailure]:
    """Failures in the order of their rules in the suite. A table-level failure's name may carry
    a suffix « (missing: …)» or « (could not be checked: …)»; a rule's own description may hold
    « (» too, so names are matched whole or as a prefix, never cut at the first parenthesis."""
    names = [rule_name(e) for e in suite["expectations"]]

    def position(failure: RuleFailure) -> int:
        return next(
            (
                i
                for i, n in enumerate(names)
                if failure.rule == n or failure.rule.startswith(f"{n} (")
            ),
            len(names),
        )

    return sorted(failures, key=position)


def _row_failures(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    broken: dict[str, list[tuple[RuleGroup, BrokenRule]]],
    context: SuiteContext,
    file_rows: int,
) -> tuple[list[RuleFailure], dict[int, set[str]]]:
    """Row-level failures over every row, and row → columns never to show.

    A rule broken on distinct tuples is traced to every row holding an offending tuple; the
    values shown for a row are its tuple's. Values are rendered once every masked row is known
    (a row may break a masked rule and another one)."""
    traced: list[tuple[BrokenRule, int, dict[int, dict[str, Any]]]] = []
    hidden: dict[int, set[str]] = {}
    for parts in broken.values():
        entries: dict[int, dict[str, Any]] = {}  # row → GX's entry of its tuple (or of itself)
        count = 0
        for group, part in parts:
            if group.frame is FrameKind.DISTINCT:
                of_first = {int(e[ROW_NUMBER]): e for e in part.entries}
                traced_rows = rows_of_tuples(con, year, kind, group.columns, part.rows)
                for first, rows in traced_rows.items():
                    entries.update(dict.fromkeys(rows, of_first[first]))
                traced_count = sum(len(rows) for rows in traced_rows.values())
                part.count_rows(traced_count, file_rows)
                count += traced_count
            else:
                entries.update((int(e[ROW_NUMBER]), e) for e in part.entries)
                count += max(part.unexpected_count, len(part.entries))
        first_part = parts[0][1]
        for row in entries if first_part.masked_columns else ():
            hidden.setdefault(row, set()).update(first_part.masked_columns)
        traced.append((first_part, max(count, len(entries)), entries))
    failures = [
        RuleFailure(
            rule.rule,
            sorted(entries),
            count,
            {
                row: offending_values(entry, context.notes, hidden.get(row, set()))
                for row, entry in entries.items()
            },
            warning=rule.warning,
        )
        for rule, count, entries in traced
    ]
    return failures, hidden


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
