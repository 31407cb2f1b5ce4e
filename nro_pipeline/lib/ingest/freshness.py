"""Which years' marts are older than what sits in the landing zone.

A landing file is newer than the warehouse when it was modified after the year's copy of that kind
was landed, or when nothing of that kind has been landed for the year at all.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.landing_reader import SUFFIXES, landing_years
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA


@dataclass(frozen=True)
class StaleFile:
    year: int
    path: Path
    why: str


def stale_files(landing_dir: Path, con: duckdb.DuckDBPyConnection) -> list[StaleFile]:
    try:
        landed = {
            (year, kind): loaded_at
            for year, kind, loaded_at in con.execute(
                # an unchanged re-delivery is not reloaded, only seen: either counts as up to date
                f"SELECT year, kind, greatest(loaded_at, last_seen_at) FROM {RAW_SCHEMA}.landed_files"
            ).fetchall()
        }
    except duckdb.CatalogException:
        landed = {}
    stale = []
    for year in landing_years(landing_dir):
        for kind in FILE_KINDS:
            for suffix in SUFFIXES:
                path = landing_dir / str(year) / f"{kind}{suffix}"
                if not path.exists():
                    continue
                loaded_at = landed.get((year, kind))
                modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
                if loaded_at is None:
                    stale.append(StaleFile(year, path, "never landed"))
                elif modified > loaded_at:
                    stale.append(
                        StaleFile(
                            year,
                            path,
                            f"changed after it was landed at {loaded_at:%Y-%m-%d %H:%M} UTC",
                        )
                    )
    return stale
