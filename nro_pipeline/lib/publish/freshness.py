"""Which landed years have no marts, or marts older than their landing files.

Each successful dbt build records, in `meta.year_builds`, when it built each of its years; a
year is stale when it has landing files but no build, or a landing file modified after its build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.landing_reader import SUFFIXES, landing_years

BUILDS_TABLE = "meta.year_builds"


@dataclass(frozen=True)
class StaleYear:
    year: int
    why: str


def record_year_builds(con: duckdb.DuckDBPyConnection, years: Iterable[int]) -> None:
    """Note that the marts of these years were just built (called after a successful dbt build)."""
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


def year_builds(con: duckdb.DuckDBPyConnection) -> dict[int, datetime]:
    try:
        return dict(con.execute(f"SELECT year, built_at FROM {BUILDS_TABLE}").fetchall())
    except duckdb.CatalogException:
        return {}


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
