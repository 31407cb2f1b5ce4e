"""Shared fixtures: a small generated region with planted schools, run once through `nro run`.

Tests under tests/e2e are marked `e2e` (they run the pipeline); `pytest -m "not e2e"` is the fast tier.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.built_once import built_once, shared_root
from tests.support.planted_schools import plant
from tests.support.run import REGION_YEARS, RunResult, nro

E2E_DIR = Path(__file__).parent / "e2e"
# The e2e files by the worker time they took (`pytest --durations`, 2026-12-07), longest first.
# With `--dist loadfile --no-loadscope-reorder` (pyproject) xdist hands files out in this order, so
# the workers start on the longest and the short files fill in at the end, instead of one long
# file running alone while the others idle. The first two need no `region_run` at first (the UI
# backfill asks for it only to compare at its end), so neither worker waits while another builds
# it. Files not named follow, unit tests last.
SLOWEST_FIRST = (
    "test_dagster_ui.py",
    "test_bad_input_catalogue.py",
    "test_safe_publishing.py",
    "test_presets.py",
    "test_gx_gate.py",
    "test_publish.py",
    "test_end_to_end.py",
    "test_rebuild.py",
    "test_backfill.py",
    "test_decision_support.py",
    "test_region_decisions.py",  # one sensor-requested run of 2024 (about 50 s beside region_run)
    "test_support_outcomes.py",
)


def _file_order(item: pytest.Item) -> tuple[int, int]:
    path = Path(item.path)
    if path.name in SLOWEST_FIRST:
        return 0, SLOWEST_FIRST.index(path.name)
    return (1 if E2E_DIR in path.parents else 2), 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_file_order)  # stable: tests keep their order within a file


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
    """The landing zone of a generated region with the planted schools; tests only read it."""
    from nro_pipeline.lib.sample.region import generate_region

    def build(folder: Path) -> dict:
        generate_region(
            folder / "landing", schools=40, years=REGION_YEARS, seed=7, style="canonical"
        )
        plant(folder / "landing", REGION_YEARS)
        return {}

    folder, _ = built_once(shared_root(tmp_path_factory), "planted_region", build)
    return folder / "landing"


@pytest.fixture(scope="session")
def region_run(
    planted_region: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, RunResult]:
    """`nro run` of the planted region, once per session for every worker; tests only read the
    warehouse (and what the run wrote beside it) — `region_copy` is for tests that change them."""

    def build(folder: Path) -> dict:
        result = nro("run", landing=planted_region, warehouse=folder / "nro.duckdb")
        return {"returncode": result.returncode, "output": result.output}

    folder, result = built_once(shared_root(tmp_path_factory), "region_run", build)
    return folder / "nro.duckdb", RunResult(**result)


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
