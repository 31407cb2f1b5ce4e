"""The dbt var `years` as dbt Python models receive it (rendered into config), read once for all.

A Dagster run sets `years` to `RUN_TABLE` in every invocation and writes its years into
`RUN_YEARS_TABLE` just before: the vars then never change from run to run, so dbt keeps its
partial parse (changing vars makes dbt re-parse the whole project on every run).
"""

import ast
from typing import Any

import duckdb

RUN_TABLE = "run_table"
RUN_YEARS_TABLE = "meta.dbt_run_years"


def write_run_years(con: duckdb.DuckDBPyConnection, years: list[int]) -> None:
    """The results years of the dbt invocation about to start (read by the years_filter macro)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE OR REPLACE TABLE {RUN_YEARS_TABLE} (year INTEGER PRIMARY KEY)")
    con.executemany(f"INSERT INTO {RUN_YEARS_TABLE} VALUES (?)", [[y] for y in sorted(set(years))])
    con.execute(
        f"COMMENT ON TABLE {RUN_YEARS_TABLE} IS 'Годы результатов, которые перестраивает "
        "текущий (или последний) запуск dbt из Dagster'"
    )


def resolve_years(value: Any, session: Any) -> list[int] | None:
    """`parse_years`, and for `RUN_TABLE` the years the run wrote into `RUN_YEARS_TABLE`
    (`session`: the DuckDB connection dbt-duckdb hands a Python model)."""
    if str(value).strip() == RUN_TABLE:
        rows = session.sql(f"select year from {RUN_YEARS_TABLE} order by year").fetchall()
        return [int(year) for (year,) in rows]
    return parse_years(value)


def parse_years(value: Any) -> list[int] | None:
    """Var ``years`` as rendered into config: None/''/'None' → None (all years); a list, a number
    or a comma-separated string → list of ints (same semantics as the ``years_filter`` macro)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    if isinstance(value, (int, float)):
        return [int(value)]
    text = str(value).strip()
    if text in ("", "None", "none", "null", "[]"):
        return None if text != "[]" else []
    if text.startswith("["):
        return [int(v) for v in ast.literal_eval(text)]
    return [int(v) for v in text.split(",") if v.strip()]


def year_predicate(years: list[int] | None) -> str:
    """SQL predicate on `year` for these years (`true` for all): the years_filter macro's twin."""
    return "true" if years is None else f"year in ({', '.join(map(str, years)) or 'null'})"
