"""Rows that break a row-level rule, kept where the analyst sees them, and whether a year may refresh.

`quarantine.rejected_rows` holds one row per (source row, broken rule) of the file currently
landed for each (year, kind): it is emptied when a new file lands and rewritten on each validation.

The policy (`NRO_QUARANTINE_POLICY`):
- `block` (default): any broken rule blocks the year; quarantine only shows the analyst the rows.
- `allow`: a year whose only failures are row-level may refresh without those rows. The GX check
  passes with a WARN note, and dbt staging leaves out every row listed here (anti-join on year,
  kind, row number and content hash). Even then the year is blocked when
  - a rule about the file as a whole fails (missing column, unreadable file — never here at all),
  - the registry of schools has a bad row: every other file is checked against the registry, so
    leaving a school out would silently drop it from every list, or
  - more than `NRO_QUARANTINE_MAX_SHARE` (default 5 %) of the file's rows are bad: then the file
    as a whole is wrong (percentages instead of counts, shifted columns), not a few rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import SCHOOLS, FileKind

if TYPE_CHECKING:  # validation imports this module (HIDDEN); the loader imports it too
    from nro_pipeline.lib.validate.validation import ValidationOutcome

QUARANTINE_SCHEMA = "quarantine"
REJECTED_ROWS = f"{QUARANTINE_SCHEMA}.rejected_rows"
POLICY_ENV = settings.QUARANTINE_POLICY_ENV
MAX_SHARE_ENV = settings.QUARANTINE_MAX_SHARE_ENV
DEFAULT_MAX_SHARE = 0.05
HIDDEN = "<hidden>"  # shown instead of a masked value (a participant id that looks like a name)
# Kinds whose bad rows always block (see the module docstring).
NEVER_PARTLY_LOADED = frozenset({SCHOOLS.name})


class QuarantineConfigError(ValueError):
    """A policy setting that is not understood; the message says what is expected."""


class QuarantinePolicy(Enum):
    BLOCK = "block"
    ALLOW = "allow"


def quarantine_policy() -> QuarantinePolicy:
    value = settings.quarantine_policy_text()
    try:
        return QuarantinePolicy(value)
    except ValueError:
        raise QuarantineConfigError(
            f"{POLICY_ENV}={value!r} is not a quarantine policy; use 'block' (default: a bad row "
            "blocks its year) or 'allow' (the year refreshes without the quarantined rows)."
        ) from None


def max_share() -> float:
    value = settings.quarantine_max_share_text() or str(DEFAULT_MAX_SHARE)
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise QuarantineConfigError(
            f"{MAX_SHARE_ENV}={value!r} is not a share between 0 and 1 (default {DEFAULT_MAX_SHARE})."
        )
    return share


def ensure_quarantine_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {QUARANTINE_SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {REJECTED_ROWS} (
            year INTEGER NOT NULL, kind VARCHAR NOT NULL, source_file VARCHAR,
            content_hash VARCHAR, row_number BIGINT NOT NULL, rule VARCHAR NOT NULL,
            offending_values VARCHAR, source_row JSON, detected_at TIMESTAMP)"""
    )


def clear_rejected_rows(con: duckdb.DuckDBPyConnection, year: int, kind: str) -> None:
    """A newly landed file starts with an empty quarantine (run inside the load transaction)."""
    ensure_quarantine_table(con)
    con.execute(f"DELETE FROM {REJECTED_ROWS} WHERE year = ? AND kind = ?", [year, kind])


def record_rejected_rows(
    con: duckdb.DuckDBPyConnection, outcome: ValidationOutcome, kind: FileKind
) -> int:
    """Replace the (year, kind) quarantine with the outcome's row-level failures; returns the
    number of distinct rows quarantined."""
    from nro_pipeline.lib.ingest.raw_loader import RAW_SCHEMA

    entries = [
        (row, failure.rule, failure.values.get(row, ""))
        for failure in outcome.row_failures
        for row in failure.rows
    ]
    rows = sorted({row for row, _, _ in entries})
    source_rows = _source_rows(con, RAW_SCHEMA, outcome.year, kind, rows, outcome.hidden)
    detected_at = datetime.now(UTC).replace(tzinfo=None)
    batch = pa.table(
        {
            "row_number": pa.array([e[0] for e in entries], pa.int64()),
            "rule": pa.array([e[1] for e in entries], pa.string()),
            "offending_values": pa.array([e[2] for e in entries], pa.string()),
            "source_row": pa.array([source_rows.get(e[0]) for e in entries], pa.string()),
        }
    )
    ensure_quarantine_table(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"DELETE FROM {REJECTED_ROWS} WHERE year = ? AND kind = ?", [outcome.year, kind.name]
        )
        con.register("rejected_batch", batch)
        con.execute(
            f"""INSERT INTO {REJECTED_ROWS}
                SELECT ?, ?, ?, ?, row_number, rule, offending_values, source_row::JSON, ?
                FROM rejected_batch""",
            [outcome.year, kind.name, outcome.source_file, outcome.content_hash, detected_at],
        )
        con.unregister("rejected_batch")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def _source_rows(
    con: duckdb.DuckDBPyConnection,
    raw_schema: str,
    year: int,
    kind: FileKind,
    rows: list[int],
    hidden: dict[int, set[str]],
) -> dict[int, str]:
    """The rows as they were landed (canonical columns and unknown ones), as JSON text."""
    if not rows:
        return {}
    columns = ", ".join(f'"{c}"' for c in kind.column_names)
    con.register("rejected_numbers", pa.table({"n": pa.array(rows, pa.int64())}))
    try:
        found = con.execute(
            f"""SELECT _row_number, {columns}, _extra_columns FROM {raw_schema}.{kind.name}
                WHERE year = ? AND _row_number IN (SELECT n FROM rejected_numbers)""",
            [year],
        ).fetchall()
    finally:
        con.unregister("rejected_numbers")
    source_rows = {}
    for number, *values in found:
        row = dict(zip([*kind.column_names, "_extra_columns"], values, strict=True))
        row["_extra_columns"] = json.loads(row["_extra_columns"] or "{}")
        for column in hidden.get(number, ()):
            row[column] = HIDDEN
        source_rows[number] = json.dumps(row, ensure_ascii=False)
    return source_rows


@dataclass(frozen=True)
class Verdict:
    """What the blocking GX check reports: may the year's models run?"""

    passed: bool
    warn_only: bool  # passed, with rows quarantined (policy allow): a WARN-severity note
    description: str
    quarantined_rows: int


def verdict(
    outcome: ValidationOutcome,
    quarantined_rows: int,
    policy: QuarantinePolicy,
    allowed_share: float,
) -> Verdict:
    if outcome.success:
        return Verdict(True, False, outcome.message(), 0)
    where = f"{quarantined_rows} row(s) listed in {REJECTED_ROWS}"
    message = outcome.message()
    if outcome.table_failures:
        return Verdict(False, False, message, quarantined_rows)
    if policy is QuarantinePolicy.BLOCK:
        return Verdict(False, False, f"{message}\n({where})", quarantined_rows)
    if outcome.kind in NEVER_PARTLY_LOADED:
        return Verdict(
            False,
            False,
            f"{message}\n({where}; the registry of schools is never loaded in part, whatever "
            f"{POLICY_ENV} says: every other file is checked against it)",
            quarantined_rows,
        )
    share = quarantined_rows / outcome.rows if outcome.rows else 1.0
    if share > allowed_share:
        return Verdict(
            False,
            False,
            f"{message}\n({where}: {share:.0%} of the file's {outcome.rows} rows, more than "
            f"{MAX_SHARE_ENV}={allowed_share:g} allows — the file as a whole looks wrong)",
            quarantined_rows,
        )
    return Verdict(
        True,
        True,
        f"{outcome.source_file}: {quarantined_rows} of {outcome.rows} rows quarantined and left "
        f"out of the marts ({POLICY_ENV}=allow; see {REJECTED_ROWS}):\n{message}",
        quarantined_rows,
    )
