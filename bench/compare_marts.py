"""Are the marts of two warehouses identical? Tables, columns, types, comments and rows.

    .venv/bin/python bench/compare_marts.py BEFORE.duckdb AFTER.duckdb [--schemas marts,bi]

Every table and view of the schemas is compared: the same names, the same columns in the same
order with the same types, the same table and column comments (the Russian descriptions dbt
persists), and the same rows as multisets (`EXCEPT ALL` both ways, so row order does not matter)
on the columns both sides have.
Only columns that hold build timestamps are left out of the row comparison (IGNORED_COLUMNS); their
names and types are still compared. Both files are attached read-only. Exit 0 when identical,
1 with one line per difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Columns whose values are the time of the build, different on every run by design.
IGNORED_COLUMNS: frozenset[str] = frozenset({"marts.year_parameters.built_at"})

Columns = list[tuple[str, str, str | None]]  # name, type, comment


def relations(con: duckdb.DuckDBPyConnection, db: str, schemas: list[str]) -> dict[str, str | None]:
    """`schema.name` → comment of every table and view of the schemas in attached database db."""
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
        "WHERE database_name = ? AND list_contains(?, schema_name) "
        "UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
        "WHERE database_name = ? AND list_contains(?, schema_name)",
        [db, schemas, db, schemas],
    ).fetchall()
    return {name: comment for name, comment in rows}


def columns(con: duckdb.DuckDBPyConnection, db: str, relation: str) -> Columns:
    schema, name = relation.split(".", 1)
    return [
        (column, data_type, comment)
        for column, data_type, comment in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [db, schema, name],
        ).fetchall()
    ]


def schema_differences(relation: str, before: Columns, after: Columns) -> list[str]:
    typed_before, typed_after = [c[:2] for c in before], [c[:2] for c in after]
    if typed_before != typed_after:
        gone = [f"{n} {t}" for n, t in typed_before if (n, t) not in typed_after]
        added = [f"{n} {t}" for n, t in typed_after if (n, t) not in typed_before]
        return [f"{relation}: columns differ (only before: {gone}; only after: {added}; or order)"]
    return [
        f"{relation}.{b[0]}: column comment differs: {b[2]!r} vs {a[2]!r}"
        for b, a in zip(before, after, strict=True)
        if b[2] != a[2]
    ]


def row_differences(con: duckdb.DuckDBPyConnection, relation: str, names: list[str]) -> list[str]:
    compared = [n for n in names if f"{relation}.{n}" not in IGNORED_COLUMNS]
    select = ", ".join(f'"{n}"' for n in compared)
    found = []
    for left, right in (("before", "after"), ("after", "before")):
        (count,) = con.execute(
            f"SELECT count(*) FROM (SELECT {select} FROM {left}.{relation} "
            f"EXCEPT ALL SELECT {select} FROM {right}.{relation})"
        ).fetchone() or (0,)
        if count:
            found.append(f"{relation}: {count} rows only in {left}")
    return found


def compare(before: Path, after: Path, schemas: list[str]) -> list[str]:
    """Every difference between the two warehouses' schemas, in plain words (empty: identical)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{before}' AS before (READ_ONLY)")
        con.execute(f"ATTACH '{after}' AS after (READ_ONLY)")
        old, new = relations(con, "before", schemas), relations(con, "after", schemas)
        differences = [f"{name}: only in before" for name in sorted(old.keys() - new.keys())]
        differences += [f"{name}: only in after" for name in sorted(new.keys() - old.keys())]
        for relation in sorted(old.keys() & new.keys()):
            if old[relation] != new[relation]:
                differences.append(f"{relation}: table comment differs")
            cols_before, cols_after = (
                columns(con, "before", relation),
                columns(con, "after", relation),
            )
            # Rows are compared on the columns both sides have (same name and type), so a
            # change that adds a column still shows whether the existing values moved.
            common = [c[0] for c in cols_before if c[:2] in [d[:2] for d in cols_after]]
            differences += schema_differences(relation, cols_before, cols_after)
            differences += row_differences(con, relation, common)
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schemas", default="marts,bi", help="comma-separated (default marts,bi)")
    args = parser.parse_args(argv)
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()]
    differences = compare(args.before.resolve(), args.after.resolve(), schemas)
    for line in differences:
        print(line)
    ignored = ", ".join(sorted(IGNORED_COLUMNS))
    print(
        f"{len(differences)} differences in schemas {', '.join(schemas)} (values ignored: {ignored})"
    )
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
