"""`nro export --format parquet`: every table of the BI snapshot as a Parquet file, for tools that
cannot open DuckDB (Excel's Power Query, Tableau, pandas, Spark …).

It reads the published snapshot, not the warehouse: that is what BI tools see (schemas marts and
bi, with labels and list columns as text in bi), and a run never holds it open for writing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from nro_pipeline.lib.publish.snapshot import MARTS_SCHEMA, VIEW_SCHEMAS


class ParquetExportError(Exception):
    """The export cannot be made (no snapshot yet); the message says why."""


def export_parquet(snapshot: Path, out_dir: Path) -> dict[str, int]:
    """Write `<out_dir>/<schema>/<table>.parquet` for every table and view; rows per file."""
    if not snapshot.exists():
        raise ParquetExportError(f"no BI snapshot at {snapshot}: run `nro run` first.")
    rows: dict[str, int] = {}
    with duckdb.connect(str(snapshot), read_only=True) as con:
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = ? "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND list_contains(?, schema_name) "
            "ORDER BY 1, 2",
            [MARTS_SCHEMA, list(VIEW_SCHEMAS)],
        ).fetchall()
        for schema, name in relations:
            target = out_dir / schema / f"{name}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")
            con.execute(
                f"COPY (FROM {schema}.\"{name}\") TO '{_escaped(partial)}' (FORMAT parquet)"
            )
            partial.replace(target)  # a reader never sees half a file
            rows[f"{schema}.{name}"] = con.execute(
                f'SELECT count(*) FROM {schema}."{name}"'
            ).fetchone()[0]
    return rows


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")
