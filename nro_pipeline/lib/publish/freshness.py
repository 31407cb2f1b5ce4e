"""What each year's marts were built from and when; which landed years are stale.

Each successful dbt build records, per year, when it built it (`meta.year_builds`) and the value
of every methodology parameter it used (`marts.year_parameters`, so that reports and BI tools show
the rule the rows were built with, `--var` overrides included). A year is stale when it has
landing files but no build, or a landing file modified after its build.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.landing_reader import SUFFIXES, landing_years

BUILDS_TABLE = "meta.year_builds"
PARAMETERS_TABLE = "marts.year_parameters"
PARAMETER_COMMENTS = (
    f"COMMENT ON TABLE {PARAMETERS_TABLE} IS 'Параметры методики, с которыми построены витрины "
    "года (значения dbt vars, включая переопределённые в nro run --var)'",
    f"COMMENT ON COLUMN {PARAMETERS_TABLE}.year IS 'Год результатов'",
    f"COMMENT ON COLUMN {PARAMETERS_TABLE}.parameter IS 'Имя параметра (dbt var), например "
    "low_share_threshold'",
    f"COMMENT ON COLUMN {PARAMETERS_TABLE}.value IS 'Значение параметра (JSON)'",
    f"COMMENT ON COLUMN {PARAMETERS_TABLE}.built_at IS 'Когда построены витрины года (UTC)'",
)


@dataclass(frozen=True)
class StaleYear:
    year: int
    why: str


def record_year_builds(
    con: duckdb.DuckDBPyConnection, years: Iterable[int], parameters: Mapping[str, Any]
) -> None:
    """Note that the marts of these years were just built with these parameters (called after a
    successful dbt build)."""
    years = list(years)
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {BUILDS_TABLE} (year INTEGER PRIMARY KEY, built_at TIMESTAMP)"
    )
    con.execute(
        f"COMMENT ON TABLE {BUILDS_TABLE} IS 'Когда витрины года последний раз построены (UTC)'"
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    for year in years:
        con.execute(f"INSERT OR REPLACE INTO {BUILDS_TABLE} VALUES (?, ?)", [year, now])
    _record_parameters(con, years, parameters, now)


def _record_parameters(
    con: duckdb.DuckDBPyConnection, years: list[int], parameters: Mapping[str, Any], now: datetime
) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PARAMETERS_TABLE} "
        "(year INTEGER, parameter VARCHAR, value VARCHAR, built_at TIMESTAMP)"
    )
    for statement in PARAMETER_COMMENTS:
        con.execute(statement)
    con.execute(f"DELETE FROM {PARAMETERS_TABLE} WHERE list_contains(?, year)", [years])
    rows = [
        (year, name, json.dumps(value, ensure_ascii=False), now)
        for year in years
        for name, value in sorted(parameters.items())
        if name != "years"
    ]
    con.executemany(f"INSERT INTO {PARAMETERS_TABLE} VALUES (?, ?, ?, ?)", rows)


def year_parameters(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """The parameters the year's marts were built with ({} when not recorded)."""
    if not _exists(con, PARAMETERS_TABLE):
        return {}
    rows = con.execute(
        f"SELECT parameter, value FROM {PARAMETERS_TABLE} WHERE year = ?", [year]
    ).fetchall()
    return {name: json.loads(value) for name, value in rows}


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, name],
    ).fetchone() == (1,)


def year_builds(con: duckdb.DuckDBPyConnection) -> dict[int, datetime]:
    if not _exists(con, BUILDS_TABLE):
        return {}
    return dict(con.execute(f"SELECT year, built_at FROM {BUILDS_TABLE}").fetchall())


def landing_files(landing_dir: Path, year: int) -> list[Path]:
    folder = landing_dir / str(year)
    return [
        folder / f"{kind}{suffix}"
        for kind in FILE_KINDS
        for suffix in SUFFIXES
        if (folder / f"{kind}{suffix}").exists()
    ]


def stale_years(landing_dir: Path, builds: dict[int, datetime]) -> list[StaleYear]:
    stale = []
    for year in landing_years(landing_dir):
        files = landing_files(landing_dir, year)
        if not files:
            continue
        built_at = builds.get(year)
        if built_at is None:
            stale.append(StaleYear(year, "landed, but its marts were never built"))
            continue
        newer = [
            path.name
            for path in files
            if datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None) > built_at
        ]
        if newer:
            stale.append(
                StaleYear(
                    year,
                    f"{', '.join(newer)} changed after its marts were built "
                    f"({built_at:%Y-%m-%d %H:%M} UTC)",
                )
            )
    return stale
