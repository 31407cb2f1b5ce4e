"""`nro run --rebuild` re-creates the whole warehouse from the archive alone, with the same marts."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.marts import MARTS, mart_rows, spoil
from tests.support.run import REGION_YEARS, RunResult, nro


def test_rebuild_from_the_archive_yields_identical_marts(
    region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    archive = warehouse.parent / "archive"
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(warehouse, rebuilt)
    spoil(rebuilt, tuple(REGION_YEARS))  # a rebuild that never lands its marts must fail here
    assert all(mart_rows(rebuilt, mart) != mart_rows(warehouse, mart) for mart in MARTS)
    nowhere = tmp_path / "no-landing-zone"  # the archive alone: no landing folder at all

    result = nro(
        "run",
        "--rebuild",
        landing=nowhere,
        warehouse=rebuilt,
        extra_env={"NRO_ARCHIVE_DIR": str(archive)},
    )

    assert result.returncode == 0, result.output
    assert "20 files restored" in result.output
    for mart in MARTS:
        assert mart_rows(rebuilt, mart) == mart_rows(warehouse, mart), mart
