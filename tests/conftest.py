"""Shared fixtures: a small generated region with planted schools, run once through `nro run`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.planted_schools import plant

REGION_YEARS = [2020, 2021, 2022, 2023, 2024]


@dataclass(frozen=True)
class RunResult:
    returncode: int
    output: str


def nro(
    *args: str, landing: Path, warehouse: Path, extra_env: dict[str, str] | None = None
) -> RunResult:
    """Run the installed `nro` console script the way a user does."""
    env = {
        **os.environ,
        "NRO_LANDING_DIR": str(landing),
        "NRO_WAREHOUSE": str(warehouse),
        # Everything a run writes besides the warehouse goes beside it, never into data/.
        "NRO_ARCHIVE_DIR": str(warehouse.parent / "archive"),
        "NRO_PUBLISHED": str(warehouse.with_name(f"{warehouse.stem}_published.duckdb")),
        "NRO_REPORTS_DIR": str(warehouse.parent / "reports"),
        "NRO_EXPORTS_DIR": str(warehouse.parent / "exports"),
        "NRO_DBT_TARGET_DIR": str(warehouse.parent / "dbt_target"),
        "NRO_GX_DOCS_DIR": str(warehouse.parent / "gx_docs"),
    }
    env.pop("DAGSTER_HOME", None)
    env.update(extra_env or {})
    script = Path(sys.executable).with_name("nro")
    done = subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return RunResult(done.returncode, done.stdout + done.stderr)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session", autouse=True)
def archive_outside_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Runs inside the test process (Dagster jobs executed in-process) archive here, not in data/."""
    archive = tmp_path_factory.mktemp("archive")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NRO_ARCHIVE_DIR", str(archive))
        patch.setenv("NRO_GX_DOCS_DIR", str(tmp_path_factory.mktemp("gx_docs")))
        yield archive


@pytest.fixture(scope="session")
def planted_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nro_pipeline.sample_region import generate_region

    landing = tmp_path_factory.mktemp("region") / "landing"
    generate_region(landing, schools=40, years=REGION_YEARS, seed=7, style="canonical")
    plant(landing, REGION_YEARS)
    return landing


@pytest.fixture(scope="session")
def region_run(
    planted_region: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, RunResult]:
    warehouse = tmp_path_factory.mktemp("warehouse") / "nro.duckdb"
    result = nro("run", landing=planted_region, warehouse=warehouse)
    return warehouse, result


@pytest.fixture
def region_copy(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> tuple[Path, Path]:
    """A private copy of the end-to-end landing zone and warehouse, for tests that change them."""
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    landing = tmp_path / "landing"
    shutil.copytree(planted_region, landing)
    shutil.copy(warehouse, tmp_path / "nro.duckdb")
    return landing, tmp_path / "nro.duckdb"
