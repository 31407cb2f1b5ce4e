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

A run usually changes a few years of a warehouse that holds many: the new snapshot then starts from
a copy of the published one (when it is large enough for that to pay) and rewrites only the years
whose rows differ (by a fingerprint of each year's rows: their count and the sum of their hashes);
a table whose columns, constraints or comments changed, or that has no `year` column, is rewritten
whole when any of its rows differ. When the rewritten years have left a quarter of the file's
blocks free, it is written whole again.
"""

import functools
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from nro_pipeline import settings

MARTS_SCHEMA = "marts"
BI_SCHEMA = "bi"
PUBLIC_SCHEMA = "public"
VIEW_SCHEMAS = (BI_SCHEMA, PUBLIC_SCHEMA)  # views over the marts, recreated in the snapshot
# The oldest DuckDB that BI drivers still bundle and that this format is tested with
# (tests/e2e/test_bi_clients.py opens the snapshot with duckdb 1.1.3).
STORAGE_VERSION = "v1.1.0"
_SNAPSHOT = "snapshot"
# An updated snapshot whose free blocks (rows of rewritten years) pass this share of the file is
# written whole instead: readers download and cache the file, it should not keep growing.
FREE_SHARE_REWRITTEN = 0.25
# Below this size the snapshot is written whole: comparing a small file table by table takes longer
# than copying it (a region of 600 schools: 14 MB, 0.8 s whole, 1.7 s updated; the national
# benchmark: 458 MB, 10.6-12.0 s whole, 6.4-7.3 s updated).
UPDATE_FROM_BYTES = 64 * 2**20


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_marts(warehouse: Path, snapshot: Path) -> dict[str, int]:
    """Copy schema marts and the views of bi and public into a new file and swap it in atomically."""
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    staging = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.new")
    staging.unlink(missing_ok=True)
    try:
        rows = write_snapshot(warehouse, staging, previous=snapshot)
        os.replace(staging, snapshot)
    finally:
        staging.unlink(missing_ok=True)
    return rows


def can_update_from(previous: Path | None) -> bool:
    """Whether a snapshot written now starts from a copy of `previous` (the snapshot now
    published) and rewrites only its changed years, rather than copying every table anew."""
    return (
        previous is not None
        and _is_whole_snapshot_file(previous)
        and previous.stat().st_size >= UPDATE_FROM_BYTES
    )


def write_snapshot(warehouse: Path, staging: Path, previous: Path | None = None) -> dict[str, int]:
    """Write the snapshot of `warehouse` into `staging` (replaced if it exists): from a copy of
    `previous` (the snapshot now published) when it is a whole file of this storage format, only
    its changed years rewritten; else every table copied into a new file."""
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    updatable = can_update_from(previous)
    if updatable:
        shutil.copyfile(previous, staging)
    with duckdb.connect(config=settings.duckdb_config()) as con:
        version = "" if updatable else f" (STORAGE_VERSION '{STORAGE_VERSION}')"
        con.execute(f"ATTACH {_quote(str(staging))} AS {_SNAPSHOT}{version}")
        con.execute(f"ATTACH {_quote(str(warehouse))} AS source (READ_ONLY)")
        # The views' stored SQL names schema.table without a catalog: bind it to the snapshot.
        con.execute(f"USE {_SNAPSHOT}")
        for schema in VIEW_SCHEMAS:  # views over the marts, recreated once the marts are
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        rows = _update_marts(con)
        for schema in VIEW_SCHEMAS:
            rows.update(_copy_views(con, schema))
        con.execute("USE memory")
        con.execute("DETACH source")
        con.execute(f"DETACH {_SNAPSHOT}")
    if updatable and _free_share(staging) > FREE_SHARE_REWRITTEN:
        return write_snapshot(warehouse, staging)  # written whole, compact again
    return rows


def _free_share(path: Path) -> float:
    """The share of the file's blocks that rewritten years left free."""
    with duckdb.connect(str(path), read_only=True) as con:
        _, _, _, total, _, free, *_ = con.execute("PRAGMA database_size").fetchone()
    return free / total if total else 0.0


def _update_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Make the snapshot's schema marts hold exactly the source's tables, rows and comments."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS_SCHEMA}")
    source = {table: (comment, ddl) for table, comment, ddl in _tables(con, MARTS_SCHEMA)}
    held = {table: (comment, ddl) for table, comment, ddl in _tables(con, MARTS_SCHEMA, _SNAPSHOT)}
    source_columns = _column_comments(con, MARTS_SCHEMA, "source")
    held_columns = _column_comments(con, MARTS_SCHEMA, _SNAPSHOT)
    for table in held.keys() - source.keys():
        con.execute(f'DROP TABLE {_SNAPSHOT}.{MARTS_SCHEMA}."{table}"')
    rows: dict[str, int] = {}
    for table, (comment, ddl) in source.items():
        target = f'{_SNAPSHOT}.{MARTS_SCHEMA}."{table}"'
        columns = source_columns[table]
        if held.get(table) == (comment, ddl) and columns == held_columns.get(table):
            _replace_changed_rows(con, table, {column for column, _ in columns})
        else:
            con.execute(f"DROP TABLE IF EXISTS {target}")
            # the source's own DDL: the marts' contracts (types, NOT NULL, primary keys) travel
            # with them, for BI clients to read
            con.execute(ddl)
            con.execute(f'INSERT INTO {target} FROM source.{MARTS_SCHEMA}."{table}"')
            _copy_comments(con, target, "TABLE", comment, columns)
        rows[table] = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    return rows


def _replace_changed_rows(con: duckdb.DuckDBPyConnection, table: str, columns: set[str]) -> None:
    """Rewrite the years (the whole table, without a `year` column) whose rows differ."""
    year = "year" if "year" in columns else "NULL"
    source, target = (f'{db}.{MARTS_SCHEMA}."{table}"' for db in ("source", _SNAPSHOT))

    def fingerprints(relation: str) -> dict[object, tuple[int, int]]:
        found = con.execute(
            f"SELECT {year} AS part, count(*), sum(hash(t)) FROM {relation} t GROUP BY part"
        ).fetchall()
        return {part: (count, digest) for part, count, digest in found}

    wanted, held = fingerprints(source), fingerprints(target)
    for part in sorted(wanted.keys() | held.keys(), key=str):
        if wanted.get(part) == held.get(part):
            continue
        con.execute(f"DELETE FROM {target} WHERE {year} IS NOT DISTINCT FROM ?", [part])
        con.execute(
            f"INSERT INTO {target} FROM {source} WHERE {year} IS NOT DISTINCT FROM ?", [part]
        )


def _is_whole_snapshot_file(path: Path) -> bool:
    """A DuckDB file of this storage format with no write-ahead log beside it (a file with one
    is not whole on its own)."""
    if not path.is_file() or Path(f"{path}.wal").exists():
        return False
    with path.open("rb") as file:
        return file.read(_HEADER_END)[_HEADER_START:] == _format_header()


# The main header's magic bytes, storage version number and flags (not the writing library's
# version that follows them).
_HEADER_START, _HEADER_END = 8, 52


@functools.cache
def _format_header() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "format.duckdb"
        with duckdb.connect() as con:
            con.execute(
                f"ATTACH {_quote(str(sample))} AS sample (STORAGE_VERSION '{STORAGE_VERSION}')"
            )
            con.execute("DETACH sample")
        with sample.open("rb") as file:
            return file.read(_HEADER_END)[_HEADER_START:]


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
    columns = _column_comments(con, schema, "source")
    rows = {}
    for view, comment, sql in views:
        con.execute(sql)
        _copy_comments(con, f'{_SNAPSHOT}.{schema}."{view}"', "VIEW", comment, columns[view])
        rows[f"{schema}.{view}"] = con.execute(
            f'SELECT count(*) FROM {schema}."{view}"'
        ).fetchone()[0]
    return rows


def _tables(
    con: duckdb.DuckDBPyConnection, schema: str, database: str = "source"
) -> list[tuple[str, str | None, str]]:
    """The tables of `schema` in `database`: name, comment and CREATE statement."""
    return con.execute(
        "SELECT table_name, comment, sql FROM duckdb_tables() "
        "WHERE database_name = ? AND schema_name = ? ORDER BY table_name",
        [database, schema],
    ).fetchall()


def _column_comments(
    con: duckdb.DuckDBPyConnection, schema: str, database: str
) -> dict[str, list[tuple[str, str | None]]]:
    """The columns of every table and view of `schema` in `database`, in order, with their
    comments (one query for the schema: a query a table cost a regional snapshot 0.2 s)."""
    found = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? ORDER BY table_name, column_index",
        [database, schema],
    ).fetchall()
    columns: dict[str, list[tuple[str, str | None]]] = {}
    for table, column, comment in found:
        columns.setdefault(table, []).append((column, comment))
    return columns


def _copy_comments(
    con: duckdb.DuckDBPyConnection,
    target: str,
    kind: str,
    comment: str | None,
    columns: list[tuple[str, str | None]],
) -> None:
    """The relation's comment and its columns' in one batch of statements (one statement each
    cost a regional snapshot 0.4 s)."""
    statements = [f"COMMENT ON {kind} {target} IS {_quote(comment)}"] if comment else []
    statements += [
        f'COMMENT ON COLUMN {target}."{column}" IS {_quote(column_comment)}'
        for column, column_comment in columns
        if column_comment is not None
    ]
    if statements:
        con.execute(";\n".join(statements))
