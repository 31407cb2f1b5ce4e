"""Land one file into the DuckDB `raw` schema: the year's rows are replaced in one transaction.

`raw.<kind>` keeps every canonical column as text (types are checked by GX and cast in dbt
staging), unknown columns as JSON, and lineage: source file, content hash, row number, load time.
`raw.landed_files` records what each (year, kind) currently holds and how it was read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline.file_kinds import FileKind
from nro_pipeline.landing_reader import FileProfile, read_landing_file

RAW_SCHEMA = "raw"
LINEAGE_COLUMNS = ("_extra_columns", "_source_file", "_content_hash", "_row_number", "_loaded_at")


@dataclass(frozen=True)
class LoadReport:
    year: int
    kind: str
    profile: FileProfile
    rows: int
    missing_columns: list[str]
    loaded_at: datetime


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    text_columns = ", ".join(f'"{name}" VARCHAR' for name in kind.column_names)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{kind.name} (
            year INTEGER NOT NULL, {text_columns},
            _extra_columns VARCHAR, _source_file VARCHAR, _content_hash VARCHAR,
            _row_number BIGINT, _loaded_at TIMESTAMP)"""
    )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.landed_files (
            year INTEGER, kind VARCHAR, source_file VARCHAR, content_hash VARCHAR,
            size_bytes BIGINT, file_format VARCHAR, encoding VARCHAR, delimiter VARCHAR,
            header VARCHAR, columns_present VARCHAR, extra_columns VARCHAR, rows BIGINT,
            loaded_at TIMESTAMP, PRIMARY KEY (year, kind))"""
    )


def load_file(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, path: Path) -> LoadReport:
    """Replace the year's rows of `raw.<kind>` with the file's rows, atomically."""
    profile, batches = read_landing_file(path, kind)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ensure_raw_tables(con, kind)
    columns = ", ".join(f'"{name}"' for name in kind.column_names)
    rows = 0
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year])
        for batch in batches:
            con.register("landing_batch", batch)
            con.execute(
                f"""INSERT INTO {RAW_SCHEMA}.{kind.name}
                    SELECT ?, {columns}, _extra_columns, ?, ?, _row_number, ? FROM landing_batch""",
                [year, str(path), profile.content_hash, loaded_at],
            )
            con.unregister("landing_batch")
            rows += batch.num_rows
        missing = [c for c in kind.required_columns if c not in profile.columns]
        con.execute(
            f"INSERT OR REPLACE INTO {RAW_SCHEMA}.landed_files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                year,
                kind.name,
                str(path),
                profile.content_hash,
                profile.size_bytes,
                profile.file_format,
                profile.encoding,
                profile.delimiter,
                json.dumps(profile.header, ensure_ascii=False),
                json.dumps(sorted(profile.columns)),
                json.dumps(sorted(profile.extra_columns), ensure_ascii=False),
                rows,
                loaded_at,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return LoadReport(year, kind.name, profile, rows, missing, loaded_at)


def landed_columns(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> list[str]:
    """Canonical columns the year's file actually had (a missing one is null in raw)."""
    row = con.execute(
        f"SELECT columns_present FROM {RAW_SCHEMA}.landed_files WHERE year = ? AND kind = ?",
        [year, kind.name],
    ).fetchone()
    return json.loads(row[0]) if row else []
