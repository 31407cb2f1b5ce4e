"""The table of rows that break a row-level rule: `quarantine.rejected_rows`.

It holds one row per (source row, broken rule) of the file currently landed for each (year, kind):
the loader empties it when a new file lands (inside the load transaction), and validation rewrites
it on each check (`validate/rejected_rows.py`). Whether a year may refresh despite such rows is
validation's policy (`validate/quarantine_policy.py`); this module only owns the table.
"""

from __future__ import annotations

import duckdb

QUARANTINE_SCHEMA = "quarantine"
REJECTED_ROWS = f"{QUARANTINE_SCHEMA}.rejected_rows"
HIDDEN = "<hidden>"  # shown instead of a masked value (a participant id that looks like a name)


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
