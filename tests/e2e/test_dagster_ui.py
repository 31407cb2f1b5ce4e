"""The Dagster UI path a data engineer takes: `nro dev`, a backfill of every asset over every
landed year launched while `nro run` writes, a run from the UI that `nro run` then finds writing,
the lineage, and Ctrl-C in the terminal of `nro dev`.

Driven over Dagster's GraphQL API against the real webserver and daemon (run queue, backfill
daemon), in processes of their own, as the UI drives them.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nro_pipeline import settings
from tests.support.dagster_ui import DagsterUI, dagster_dev
from tests.support.marts import MARTS, mart_rows
from tests.support.run import REGION_YEARS, RunResult, nro, query, user_env

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def ui_warehouse(
    planted_region: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DagsterUI, Path, Path]]:
    root = tmp_path_factory.mktemp("ui")
    warehouse = root / "data" / "nro.duckdb"
    with dagster_dev(user_env(planted_region, warehouse), root / "dagster_dev.log") as ui:
        yield ui, warehouse, root


def _refreshed_assets(ui: DagsterUI) -> list[list[str]]:
    """Every asset a refresh materialises: all but the publication, an act of its own that asks
    for `confirm: true` in its run config."""
    nodes = ui.graphql("{ assetNodes { assetKey { path } isMaterializable } }")["assetNodes"]
    return [
        n["assetKey"]["path"]
        for n in nodes
        if n["isMaterializable"] and n["assetKey"]["path"] != ["marts", "published_lists"]
    ]


def test_backfill_launched_while_nro_run_writes_waits_then_every_asset_of_every_year_is_green(
    ui_warehouse: tuple[DagsterUI, Path, Path],
    planted_region: Path,
    request: pytest.FixtureRequest,
) -> None:
    """A backfill of every asset over every landed year, launched while `nro run` holds the
    warehouse (the order that once deadlocked): its runs wait for the lock, then run; both end
    well, and the marts equal those of one `nro run` of the region."""
    from nro_pipeline.lib.publish.working_copy import read_holder

    ui, warehouse, _ = ui_warehouse
    started = time.time()
    cli = subprocess.Popen(
        [str(Path(sys.executable).with_name("nro")), "run", "--years", "2024"],
        env=user_env(planted_region, warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while (holder := read_holder(warehouse)) is None or holder.job != "nro run":
        assert cli.poll() is None and time.monotonic() < deadline, "nro run never took the lock"
        time.sleep(0.2)
    backfill = ui.launch_backfill([str(y) for y in REGION_YEARS], _refreshed_assets(ui))

    output, _ = cli.communicate(timeout=600)
    assert cli.returncode == 0, output
    deadline = time.monotonic() + 900
    while ui.backfill_status(backfill) == "REQUESTED" and time.monotonic() < deadline:
        time.sleep(5)
    runs = ui.runs(("dagster/backfill", backfill))
    assert ui.backfill_status(backfill) == "COMPLETED_SUCCESS", runs
    assert runs and all(run["status"] == "SUCCESS" for run in runs), runs
    built = dict(query(warehouse, "SELECT year, epoch(built_at) FROM meta.year_builds"))
    assert all(built[year] >= started - 1 for year in REGION_YEARS), built
    # asked for only now: the backfill runs while another worker builds the `nro run` to compare
    region_run: tuple[Path, RunResult] = request.getfixturevalue("region_run")
    expected, result = region_run
    assert result.returncode == 0, result.output
    for mart in MARTS:
        assert mart_rows(warehouse, mart) == mart_rows(expected, mart), mart
    assert Path(settings.published_path()).name == "nro_marts.duckdb"
    assert (warehouse.parent / "published" / "nro_marts.duckdb").exists()


def test_a_ui_run_first_then_nro_run_is_refused_with_the_reason(
    ui_warehouse: tuple[DagsterUI, Path, Path], planted_region: Path
) -> None:
    """The UI's run holds the warehouse: `nro run` started meanwhile refuses at once, naming that
    run, and the UI's run ends well."""
    from nro_pipeline.lib.publish.working_copy import read_holder

    ui, warehouse, _ = ui_warehouse
    started = time.time()
    run_id = ui.launch_run("annual_refresh", "2023")
    deadline = time.monotonic() + 300
    while (holder := read_holder(warehouse)) is None or holder.run_id != run_id:
        assert time.monotonic() < deadline, "the UI's run never took the warehouse lock"
        time.sleep(0.2)

    cli = nro("run", "--years", "2024", landing=planted_region, warehouse=warehouse)

    assert cli.returncode == 1, cli.output
    assert f"is being written by run {run_id} (annual_refresh)" in cli.output
    assert "nothing was started" in cli.output
    assert ui.wait_for_run(run_id) == "SUCCESS"
    built = dict(query(warehouse, "SELECT year, epoch(built_at) FROM meta.year_builds"))
    assert built[2023] >= started - 1  # the UI's year is in the warehouse


def test_the_ui_shows_the_lineage(ui_warehouse: tuple[DagsterUI, Path, Path]) -> None:
    ui, _, _ = ui_warehouse
    from tests.support.chromium import find_chromium, visit

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine")
    ARTIFACTS.mkdir(exist_ok=True)
    time.sleep(1)
    # The UI renders itself after the load event: wait until the graph names the marts.
    page = visit(
        f"{ui.url}/assets/reports/html_report?view=lineage",
        chromium=chromium,
        screenshots={ARTIFACTS / "dagster_assets.png": (0, 1000)},
        ready="document.body.innerText.includes('mart_low_results')",
        expressions={"title": "document.title", "text": "document.body.innerText"},
    )
    assert str(page.values["title"]) == "Assets | reports / html_report"
    text = str(page.values["text"])
    assert "html_report" in text and "dim_code_labels" in text and "mart_indicators" in text


def test_ctrl_c_stops_nro_dev_and_every_process_it_started_within_10_s(
    ui_warehouse: tuple[DagsterUI, Path, Path],
) -> None:
    ui, _, _ = ui_warehouse
    seconds, left_running = ui.press_ctrl_c()
    assert left_running == [], left_running
    assert seconds < 10, seconds
