"""Stale years worked out by hand: no build, a file newer than the build, a healthy year."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from nro_pipeline.lib.publish.freshness import (
    record_year_builds,
    stale_years,
    year_builds,
    year_parameters,
)


def _landed(root: Path, year: int, mtime: datetime) -> Path:
    path = root / str(year) / "schools.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("school_id\nS1\n", encoding="utf-8")
    stamp = mtime.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_stale_years(tmp_path: Path) -> None:
    built = datetime(2024, 9, 1, 12, 0)
    _landed(tmp_path, 2022, datetime(2024, 8, 1))  # older than its build: fine
    _landed(tmp_path, 2023, datetime(2024, 9, 2))  # changed after its build
    _landed(tmp_path, 2024, datetime(2024, 8, 1))  # never built
    (tmp_path / "2025").mkdir()  # an empty folder is nothing to build yet
    stale = stale_years(tmp_path, {2022: built, 2023: built})
    assert [(s.year, s.why) for s in stale] == [
        (2023, "schools.csv changed after its marts were built (2024-09-01 12:00 UTC)"),
        (2024, "landed, but its marts were never built"),
    ]


def test_builds_are_recorded_per_year(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert year_builds(con) == {}
        record_year_builds(con, [2023, 2024], {"persistence_years": 5, "years": [2023, 2024]})
        first = year_builds(con)
        record_year_builds(
            con, [2024], {"persistence_years": 2, "criterion2_mode": "same_procedure"}
        )
        second = year_builds(con)
        assert year_parameters(con, 2023) == {"persistence_years": 5}
        assert year_parameters(con, 2024) == {
            "persistence_years": 2,
            "criterion2_mode": "same_procedure",
        }
        assert year_parameters(con, 2022) == {}
    assert set(first) == {2023, 2024}
    assert second[2023] == first[2023] and second[2024] >= first[2024]
