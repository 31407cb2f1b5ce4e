"""The frames GX validates, read from a year's landed rows in `raw`, and the rows behind a tuple.

Text columns keep what was delivered; numeric rules read derived `n_<column>` columns, parsed by
DuckDB (TRY_CAST: not a number → empty), faster than pandas here. A distinct frame holds one row
per distinct tuple of its columns, numbered by the first row holding it.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nro_pipeline.lib.contract.file_kinds import ColumnType, FileKind
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA
from nro_pipeline.lib.validate.gx_suite import ROW_NUMBER
from nro_pipeline.lib.validate.rule_groups import FrameKind, RuleGroup
from nro_pipeline.lib.validate.rule_sql import Screen

MARKS = tuple(f"mark_{m}" for m in range(2, 6))
_CATEGORY_MAX_SHARE = 10  # a text column with at most rows/10 distinct values becomes a category
_PART = "_partition"


def derived_columns(kind: FileKind, present: list[str]) -> dict[str, tuple[str, ...]]:
    """Every column a rule may name → the landed columns it is computed from."""
    derived = {c: (c,) for c in present}
    numeric = [c.name for c in kind.columns if c.name in present and c.type is not ColumnType.TEXT]
    derived.update({f"n_{c}": (c,) for c in numeric})
    if all(m in numeric for m in MARKS):
        derived["n_mark_total"] = MARKS  # empty unless all four marks are numbers
    return derived


def _derived_sql(kind: FileKind, columns: tuple[str, ...]) -> list[str]:
    numeric = {c.name for c in kind.columns if c.type is not ColumnType.TEXT}
    selected = [f'{_number(c)} AS "n_{c}"' for c in columns if c in numeric]
    if all(m in columns and m in numeric for m in MARKS):
        total = " + ".join(_number(m) for m in MARKS)
        selected.append(f"NULLIF({total}, 'NaN'::DOUBLE) AS n_mark_total")
    return selected


def _number(column: str) -> str:
    """A landed text as the number GX compares; «nan» is empty, as pandas takes NaN (and DuckDB,
    where NaN equals NaN and exceeds every number, would compare it otherwise)."""
    return f"NULLIF(TRY_CAST(\"{column}\" AS DOUBLE), 'NaN'::DOUBLE)"


def group_frames(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    group: RuleGroup,
    present: list[str],
    counts: dict[str, int],
    partitions: int = 1,
    screen: Screen | None = None,
) -> Iterator[pd.DataFrame]:
    """The frames of one rule group — distinct tuples, every row, or the header alone — in
    `partitions` parts by the hash of the group's columns (equal tuples share a part); with a
    `screen`, only the tuples or rows it flags (`rule_sql.py`).

    The rows are read from DuckDB in one scan and cut into parts in Arrow."""
    columns = present if group.frame is FrameKind.HEADER else list(group.columns)
    quoted = [f'"{c}"' for c in columns]
    source = f"(SELECT * FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?)"
    if group.frame is FrameKind.DISTINCT:
        source = f"""(SELECT {", ".join(quoted)}, min({ROW_NUMBER}) AS {ROW_NUMBER}
                      FROM {source} GROUP BY ALL)"""
    selected = [*quoted, ROW_NUMBER, *_derived_sql(kind, tuple(columns))]
    if partitions > 1:
        selected.append(f"hash({', '.join(quoted)}) % {partitions} AS {_PART}")
    limit = " LIMIT 0" if group.frame is FrameKind.HEADER else ""
    query = f"SELECT {', '.join(selected)} FROM {source}"
    if screen is not None:  # the screen reads the derived columns too: filtered outside
        flagged = f"WHERE {screen.where}" if screen.where else f"QUALIFY {screen.qualify}"
        query = f"SELECT * FROM ({query}) AS landed {flagged}"
    # Through Arrow: .df() builds a Python object per text cell, and there are millions.
    table = con.sql(f"{query} ORDER BY {ROW_NUMBER}{limit}", params=[year]).to_arrow_table()
    for index in range(partitions):
        part = table
        if partitions > 1:
            part = table.filter(pc.equal(table[_PART], index)).drop_columns([_PART])
        categories = _categories(part.column_names, counts, part.num_rows)
        yield part.to_pandas().astype(categories)
        del part


def _categories(columns: list[str], counts: dict[str, int], rows: int) -> dict[str, str]:
    """Text columns with few distinct values (codes, scores, school ids), as pandas categories:
    GX filters the whole frame for every conditional rule, and taking rows of a categorical costs
    an integer copy instead of a copy of every string."""
    return {
        c: "category" for c in columns if c in counts and counts[c] <= rows // _CATEGORY_MAX_SHARE
    }


def distinct_counts(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, present: list[str]
) -> dict[str, int]:
    """Distinct non-empty values of each landed column of the year (one scan)."""
    if not present:
        return {}
    counts = ", ".join(f'count(DISTINCT "{c}")' for c in present)
    # fetchall, not fetchone: DuckDB 2 refuses further work on a connection with an open result
    [row] = con.execute(
        f"SELECT {counts} FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year]
    ).fetchall()
    return dict(zip(present, row, strict=True))


def rows_of_tuples(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    columns: tuple[str, ...],
    first_rows: list[int],
) -> dict[int, list[int]]:
    """First row of a tuple → every row of the year holding the same values in `columns`
    (empty equal to empty), in file order."""
    if not first_rows:
        return {}
    table = f"{RAW_SCHEMA}.{kind.name}"
    same = " AND ".join(f'r."{c}" IS NOT DISTINCT FROM f."{c}"' for c in columns)
    con.register("first_rows", pa.table({"n": pa.array(sorted(set(first_rows)), pa.int64())}))
    try:
        found = con.execute(
            f"""SELECT f.{ROW_NUMBER}, r.{ROW_NUMBER}
                FROM {table} AS f JOIN {table} AS r ON r.year = f.year AND {same}
                WHERE f.year = ? AND f.{ROW_NUMBER} IN (SELECT n FROM first_rows)
                ORDER BY f.{ROW_NUMBER}, r.{ROW_NUMBER}""",
            [year],
        ).fetchall()
    finally:
        con.unregister("first_rows")
    rows: dict[int, list[int]] = {}
    for first, row in found:
        rows.setdefault(int(first), []).append(int(row))
    return rows
