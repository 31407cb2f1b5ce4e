"""The `raw` schema: one text table per file kind, and `raw.landed_files`, what each (year, kind)
currently holds and how it was read."""

from __future__ import annotations

import json

import duckdb

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.quarantine_table import ensure_quarantine_table

RAW_SCHEMA = "raw"

_LANDED_FILES_COLUMNS = {
    "year": "INTEGER",
    "kind": "VARCHAR",
    "source_file": "VARCHAR",
    "content_hash": "VARCHAR",
    "size_bytes": "BIGINT",
    "file_format": "VARCHAR",
    "encoding": "VARCHAR",
    "delimiter": "VARCHAR",
    "header": "VARCHAR",
    "header_row": "INTEGER",  # the file's row holding the header (title rows above it)
    "columns_present": "VARCHAR",
    "extra_columns": "VARCHAR",
    "rows": "BIGINT",
    "loaded_at": "TIMESTAMP",
    "loader_version": "INTEGER",
    "last_seen_at": "TIMESTAMP",  # last time the landing held this same content
}


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    text_columns = ", ".join(f'"{name}" VARCHAR' for name in kind.column_names)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{kind.name} (
            year INTEGER NOT NULL, {text_columns},
            _extra_columns VARCHAR, _source_file VARCHAR, _content_hash VARCHAR,
            _row_number BIGINT, _loaded_at TIMESTAMP)"""
    )
    definitions = ", ".join(f"{name} {type_}" for name, type_ in _LANDED_FILES_COLUMNS.items())
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.landed_files (
            {definitions}, PRIMARY KEY (year, kind))"""
    )
    # A warehouse created before a column was added gets it (null for earlier loads).
    for name, type_ in _LANDED_FILES_COLUMNS.items():
        con.execute(
            f"ALTER TABLE {RAW_SCHEMA}.landed_files ADD COLUMN IF NOT EXISTS {name} {type_}"
        )
    ensure_quarantine_table(con)


def landed_record(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> dict | None:
    cursor = con.execute(
        f"SELECT * FROM {RAW_SCHEMA}.landed_files WHERE year = ? AND kind = ?", [year, kind.name]
    )
    # fetchall, not fetchone: DuckDB 2 refuses further work on a connection with an open result
    rows = cursor.fetchall()
    return dict(zip([d[0] for d in cursor.description], rows[0], strict=True)) if rows else None


def is_landed(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> bool:
    """Whether the year holds a landed file of this kind (none: not arrived yet, or never)."""
    ensure_raw_tables(con, kind)
    return landed_record(con, year, kind) is not None


def landed_columns(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> list[str]:
    """Canonical columns the year's file actually had (a missing one is null in raw)."""
    row = con.execute(
        f"SELECT columns_present FROM {RAW_SCHEMA}.landed_files WHERE year = ? AND kind = ?",
        [year, kind.name],
    ).fetchall()
    return json.loads(row[0][0]) if row else []
