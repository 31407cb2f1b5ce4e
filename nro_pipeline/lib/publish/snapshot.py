"""Publishing for BI: readers never see a half-refreshed year and are never locked out.

DuckDB admits one writer process and no other process beside it, so BI tools must not open the
file the pipeline writes. After a successful build the marts (with their Russian comments) and the
labelled views of schema `bi` are copied into a new file beside the published snapshot, which is
then swapped in with `os.replace`: a reader that has the old snapshot open keeps reading it; the
next connection sees the new one. Nothing participant-level is ever in the snapshot: it holds the
schemas `marts`, `bi` (labelled views) and `public` (the public edition's views, where the
disclosure rules of docs/methodology.md, «Публичная версия», are applied) only.

The file is written in DuckDB's storage format v1.1.0: BI tools bundle DuckDB 1.x drivers (DBeaver,
Metabase, Superset's duckdb-engine), and a file in the pipeline's own (2.0) format is refused by
every 1.x client.
"""

import os
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
BI_SCHEMA = "bi"
PUBLIC_SCHEMA = "public"
VIEW_SCHEMAS = (BI_SCHEMA, PUBLIC_SCHEMA)  # views over the marts, recreated in the snapshot
# The oldest DuckDB that BI drivers still bundle and that this format is tested with
# (tests/e2e/test_bi_clients.py opens the snapshot with duckdb 1.1.3).
STORAGE_VERSION = "v1.1.0"
_SNAPSHOT = "snapshot"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_marts(warehouse: Path, snapshot: Path) -> dict[str, int]:
    """Copy schema marts and the views of bi and public into a fresh file and swap it in atomically."""
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
    with duckdb.connect() as con:
        con.execute(
            f"ATTACH {_quote(str(staging))} AS {_SNAPSHOT} (STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        con.execute(f"ATTACH {_quote(str(warehouse))} AS source (READ_ONLY)")
        # The views' stored SQL names schema.table without a catalog: bind it to the snapshot.
        con.execute(f"USE {_SNAPSHOT}")
        con.execute(f"CREATE SCHEMA {MARTS_SCHEMA}")
        for table, comment, ddl in _tables(con, MARTS_SCHEMA):
            target = f'{_SNAPSHOT}.{MARTS_SCHEMA}."{table}"'
            # the source's own DDL: the marts' contracts (types, NOT NULL, primary keys) travel
            # with them, for BI clients to read
            con.execute(ddl)
            con.execute(f'INSERT INTO {target} FROM source.{MARTS_SCHEMA}."{table}"')
            _copy_comments(con, MARTS_SCHEMA, table, "TABLE", comment)
            rows[table] = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        for schema in VIEW_SCHEMAS:
            rows.update(_copy_views(con, schema))
        con.execute("USE memory")
        con.execute("DETACH source")
        con.execute(f"DETACH {_SNAPSHOT}")
    return rows


def _copy_views(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Recreate the source's views of `schema`; they read the snapshot's own marts (no view of
    bi or public reads another view)."""
    views = con.execute(
        "SELECT view_name, comment, sql FROM duckdb_views() WHERE database_name = 'source' "
        "AND schema_name = ? ORDER BY view_name",
        [schema],
    ).fetchall()
    if views:
        con.execute(f"CREATE SCHEMA {schema}")
    rows = {}
    for view, comment, sql in views:
        con.execute(sql)
        _copy_comments(con, schema, view, "VIEW", comment)
        rows[f"{schema}.{view}"] = con.execute(
            f'SELECT count(*) FROM {schema}."{view}"'
        ).fetchone()[0]
    return rows


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str | None, str]]:
    """The source's tables of `schema`: name, comment and CREATE statement."""
    return con.execute(
        "SELECT table_name, comment, sql FROM duckdb_tables() "
        "WHERE database_name = 'source' AND schema_name = ? ORDER BY table_name",
        [schema],
    ).fetchall()


def _copy_comments(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, kind: str, comment: str | None
) -> None:
    target = f'{_SNAPSHOT}.{schema}."{name}"'
    if comment:
        con.execute(f"COMMENT ON {kind} {target} IS {_quote(comment)}")
    for column, column_comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'source' "
        "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, name],
    ).fetchall():
        con.execute(f'COMMENT ON COLUMN {target}."{column}" IS {_quote(column_comment)}')
