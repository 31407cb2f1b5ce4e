"""The project's instance settings are in force whether or not DAGSTER_HOME is set."""

from __future__ import annotations

from pathlib import Path

import yaml

from nro_pipeline import settings
from nro_pipeline.instance.home import INSTANCE_SETTINGS, ensure_instance_home, pooled_event_log


def test_repository_dagster_yaml_holds_the_same_settings() -> None:
    root = yaml.safe_load((settings.PROJECT_ROOT / "dagster.yaml").read_text("utf-8"))
    assert root == INSTANCE_SETTINGS


def test_a_new_home_gets_the_settings(tmp_path: Path) -> None:
    ensure_instance_home(tmp_path / "home")
    written = yaml.safe_load((tmp_path / "home" / "dagster.yaml").read_text("utf-8"))
    assert written == {
        **INSTANCE_SETTINGS,
        "event_log_storage": pooled_event_log((tmp_path / "home").resolve()),
    }
    assert written["concurrency"]["runs"]["max_concurrent_runs"] == 1


def test_a_home_with_its_own_storage_keeps_it(tmp_path: Path) -> None:
    own = "storage:\n  postgres:\n    postgres_url: postgresql://nro@localhost/dagster\n"
    (tmp_path / "dagster.yaml").write_text(own, encoding="utf-8")
    ensure_instance_home(tmp_path)
    written = yaml.safe_load((tmp_path / "dagster.yaml").read_text("utf-8"))
    assert "event_log_storage" not in written and "postgres" in written["storage"]
    assert written["concurrency"] == INSTANCE_SETTINGS["concurrency"]


def test_a_users_dagster_home_is_completed_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text(
        "telemetry:\n  enabled: true\nrun_retries:\n  enabled: true\n", encoding="utf-8"
    )
    changed = ensure_instance_home(tmp_path)
    written = yaml.safe_load((tmp_path / "dagster.yaml").read_text("utf-8"))
    assert set(changed) == {"telemetry", "nux", "concurrency", "event_log_storage"}
    assert written["run_retries"] == {"enabled": True}  # the user's own setting stays
    assert written["telemetry"] == {"enabled": False}
    assert ensure_instance_home(tmp_path) == []  # idempotent


def test_dagster_home_follows_the_warehouse(monkeypatch) -> None:
    for name in (
        "DAGSTER_HOME",
        "NRO_DATA_DIR",
        "NRO_ARCHIVE_DIR",
        "NRO_GX_DOCS_DIR",
        "NRO_PUBLISHED",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NRO_WAREHOUSE", "/srv/other/nro.duckdb")
    assert settings.dagster_home() == Path("/srv/other/dagster_home")
    assert settings.published_path() == Path("/srv/other/published/nro_marts.duckdb")
    assert settings.archive_dir() == Path("/srv/other/archive")
    monkeypatch.setenv("NRO_DATA_DIR", "/srv/data")
    assert settings.reports_dir() == Path("/srv/data/reports")


def test_a_home_written_before_the_event_log_moved_is_brought_up_to_date(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text(
        "event_log_storage:\n  module: nro_pipeline.defs.event_log_storage\n"
        "  class: PooledSqliteEventLogStorage\n  config:\n    dagster_home:\n"
        "      env: DAGSTER_HOME\n",
        encoding="utf-8",
    )
    assert "event_log_storage" in ensure_instance_home(tmp_path)
    written = yaml.safe_load((tmp_path / "dagster.yaml").read_text("utf-8"))
    assert written["event_log_storage"] == pooled_event_log(tmp_path.resolve())
