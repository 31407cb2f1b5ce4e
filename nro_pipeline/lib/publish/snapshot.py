"""Publishing for BI: readers never see a half-refreshed year and are never locked out.

DuckDB admits one writer process and no other process beside it, so BI tools must not open the
file the pipeline writes. After a successful build the marts (with their Russian comments) are
copied into a new file beside the published snapshot, which is then swapped in with `os.replace`:
a reader that has the old snapshot open keeps reading it; the next connection sees the new one.
Nothing participant-level is ever in the snapshot: it holds the `marts` schema only.
"""

import os
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_marts(warehouse: Path, snapshot: Path) -> dict[str, int]:
    """Copy every table of schema marts into a fresh file and swap it in atomically."""
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    staging = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.new")
    staging.unlink(missing_ok=True)
    try:
        rows = write_snapshot(warehouse, staging)
        os.replace(staging, snapshot)
    finally:
        staging.unlink(missing_ok=True)
    return rows


def write_snapshot(warehouse: Path, staging: Path) -> dict[str, int]:
    """Copy every table of schema marts into a new file `staging` (replaced if it exists)."""
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    return _copy_marts(warehouse, staging)


def _copy_marts(warehouse: Path, staging: Path) -> dict[str, int]:
    rows: dict[str, int] = {}
    with duckdb.connect(str(staging)) as con:
        # Qualify with the file's own catalog: a file named marts.duckdb would clash with the schema.
        catalog = '"' + con.execute("SELECT current_database()").fetchone()[0] + '"'
        con.execute(f"ATTACH {_quote(str(warehouse))} AS source (READ_ONLY)")
        tables = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() "
            "WHERE database_name = 'source' AND schema_name = ? ORDER BY table_name",
            [MARTS_SCHEMA],
        ).fetchall()
        con.execute(f"CREATE SCHEMA {catalog}.{MARTS_SCHEMA}")
        for table, comment in tables:
            target = f"{catalog}.{MARTS_SCHEMA}.{table}"
            con.execute(f"CREATE TABLE {target} AS FROM source.{MARTS_SCHEMA}.{table}")
            if comment:
                con.execute(f"COMMENT ON TABLE {target} IS {_quote(comment)}")
            for column, column_comment in con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'source' "
                "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
                [MARTS_SCHEMA, table],
            ).fetchall():
                con.execute(f'COMMENT ON COLUMN {target}."{column}" IS {_quote(column_comment)}')
            rows[table] = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        con.execute("DETACH source")
    return rows
