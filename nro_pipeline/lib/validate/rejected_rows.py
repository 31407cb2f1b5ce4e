"""The GX check's row-level failures written to `quarantine.rejected_rows`, with the source rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.quarantine_table import HIDDEN, REJECTED_ROWS, ensure_quarantine_table
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA
from nro_pipeline.lib.validate.outcome import ValidationOutcome


def record_rejected_rows(
    con: duckdb.DuckDBPyConnection, outcome: ValidationOutcome, kind: FileKind
) -> int:
    """Replace the (year, kind) quarantine with the outcome's row-level failures; returns the
    number of distinct rows quarantined."""
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
