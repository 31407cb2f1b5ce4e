"""The annual schedule and the landing sensor, evaluated with Dagster's test APIs."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.partitions.context import partition_loading_context

from nro_pipeline.definitions import load_definitions

defs = load_definitions()


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "landing"
    for year in (2023, 2024):
        (root / str(year)).mkdir(parents=True)
        (root / str(year) / "schools.csv").write_text("school_id\nS1\n", encoding="utf-8")
    monkeypatch.setenv("NRO_LANDING_DIR", str(root))
    return root


def _sensor_requests(cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    sensor = defs.get_sensor_def("landing_zone_sensor")
    with (
        dg.DagsterInstance.ephemeral() as instance,
        partition_loading_context(dynamic_partitions_store=instance),
    ):
        instance.add_dynamic_partitions("results_year", ["2023", "2024"])  # landing_years_sensor
        context = dg.build_sensor_context(cursor=cursor, definitions=defs, instance=instance)
        result = sensor.evaluate_tick(context)
    return list(result.run_requests or []), result.cursor


def test_new_year_folders_become_partitions_once(landing: Path) -> None:
    sensor = defs.get_sensor_def("landing_years_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(definitions=defs, instance=instance)
        [request] = sensor.evaluate_tick(context).dynamic_partitions_requests
        assert request.partition_keys == ["2023", "2024"]
        instance.add_dynamic_partitions("results_year", ["2023", "2024"])
        again = sensor.evaluate_tick(dg.build_sensor_context(definitions=defs, instance=instance))
        assert not again.dynamic_partitions_requests and again.skip_message


def test_sensor_requests_each_landed_year_once_then_nothing(landing: Path) -> None:
    requests, cursor = _sensor_requests(None)
    assert sorted(r.partition_key for r in requests) == ["2023", "2024"]
    assert all(r.job_name in (None, "annual_refresh") for r in requests)
    requests, cursor_again = _sensor_requests(cursor)
    assert requests == [] and cursor_again == cursor


def test_sensor_requests_only_the_year_whose_file_changed(landing: Path) -> None:
    _, cursor = _sensor_requests(None)
    changed = landing / "2024" / "vpr_results.csv"
    changed.write_text("school_id\n", encoding="utf-8")
    requests, _ = _sensor_requests(cursor)
    assert [r.partition_key for r in requests] == ["2024"]


def test_sensor_ignores_files_still_being_written(landing: Path) -> None:
    _, cursor = _sensor_requests(None)
    (landing / "2023" / ".gia_results.csv.part").write_text("half", encoding="utf-8")
    os.utime(landing / "2023")
    requests, _ = _sensor_requests(cursor)
    assert requests == []


def test_annual_schedule_refreshes_the_latest_year(landing: Path, tmp_path: Path) -> None:
    schedule = defs.get_schedule_def("annual_refresh_schedule")
    assert schedule.cron_schedule == "0 6 1 9 *"
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("results_year", ["2023", "2024"])
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=datetime(2024, 9, 1, 6, 0),
            repository_def=defs.get_repository_def(),
        )
        requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2024"]
    assert requests[0].run_key == "annual-2024-2024-09-01"


def test_annual_schedule_skips_an_empty_landing_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NRO_LANDING_DIR", str(tmp_path / "nothing"))
    schedule = defs.get_schedule_def("annual_refresh_schedule")
    with dg.instance_for_test() as instance:
        result = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
    assert not result.run_requests and result.skip_message


def test_a_register_arriving_after_the_results_refreshes_the_decisions_only(
    landing: Path,
) -> None:
    """docs/methodology.md, «Решения региона»: the register and what is downstream of it,
    with its GX check; the year's other files are not landed again."""
    _, cursor = _sensor_requests(None)
    (landing / "2024" / "support_register.csv").write_text(
        "school_id,decision,reason\nS1,confirm,решение\n", encoding="utf-8"
    )
    [request], cursor = _sensor_requests(cursor)
    assert request.partition_key == "2024" and request.run_key.startswith("register-2024-")
    selected = set(request.asset_selection or [])
    assert dg.AssetKey(["raw", "support_register"]) in selected
    assert dg.AssetKey(["marts", "mart_support_list"]) in selected
    assert dg.AssetKey(["marts", "mart_indicators"]) in selected
    assert dg.AssetKey(["raw", "schools"]) not in selected
    assert dg.AssetKey(["marts", "mart_low_results"]) not in selected
    checks = {c.name for c in request.asset_check_keys or []}
    assert {"gx_support_register", "register_decisions_take_effect"} <= checks
    assert "marts_not_older_than_landing" not in checks  # not part of a refresh
    job = defs.resolve_job_def("annual_refresh")
    assert selected <= set(job.asset_layer.asset_graph.get_all_asset_keys())
    # a results file changing with it: the year's whole refresh
    (landing / "2024" / "support_register.csv").write_text("school_id\n", encoding="utf-8")
    (landing / "2024" / "vpr_results.csv").write_text("school_id\n", encoding="utf-8")
    [request], _ = _sensor_requests(cursor)
    assert request.run_key.startswith("landing-2024-") and request.asset_selection is None


def test_a_cursor_of_the_older_version_requests_whole_refreshes(landing: Path) -> None:
    old = '{"2023": "0123456789abcdef", "2024": "0123456789abcdef"}'
    requests, _ = _sensor_requests(old)
    assert [r.run_key.split("-")[0] for r in requests] == ["landing", "landing"]
