"""`nro-dbt` (nro_pipeline/dbt_command.py) is dbt's command line with a quick exit: the pipeline
runs it for every dbt invocation, so it must keep what dbt itself guarantees — the exit code, the
output, the artifacts — and leave the DuckDB file closed and whole (no `.wal` beside it), as dbt's
own slow exit does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from nro_pipeline import settings

PROFILE = """
tiny:
  target: file
  outputs:
    file:
      type: duckdb
      path: "{path}"
      threads: 1
"""
PROJECT = """
name: tiny
version: "1.0"
profile: tiny
config-version: 2
"""


def _project(folder: Path, models: dict[str, str]) -> Path:
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(PROJECT)
    database = folder / "tiny.duckdb"
    (folder / "profiles.yml").write_text(PROFILE.format(path=database))
    for name, sql in models.items():
        (folder / "models" / f"{name}.sql").write_text(sql)
    return database


def _nro_dbt(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(folder),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_FORMAT": "json",  # as dagster-dbt runs it
    }
    return subprocess.run(
        [sys.executable, "-m", "nro_pipeline.dbt_command", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_pipeline_runs_dbt_through_nro_dbt() -> None:
    assert Path(settings.DBT_EXECUTABLE).name == "nro-dbt"  # pyproject's [project.scripts]


def test_a_build_leaves_its_table_written_and_the_file_closed(tmp_path: Path) -> None:
    database = _project(tmp_path, {"answer": "{{ config(materialized='table') }} select 42 as x"})
    done = _nro_dbt(tmp_path, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    events = [json.loads(line)["info"]["name"] for line in done.stdout.splitlines()]
    assert "LogModelResult" in events and "StatsLine" in events  # dbt's output, line for line
    assert (tmp_path / "target" / "run_results.json").exists()
    assert not database.with_name(database.name + ".wal").exists()  # checkpointed on close
    assert done.stderr == ""
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select x from main.answer").fetchall() == [(42,)]


def test_a_failing_model_gives_dbts_exit_code(tmp_path: Path) -> None:
    _project(tmp_path, {"broken": "select * from no_such_table"})
    done = _nro_dbt(tmp_path, "run")
    assert done.returncode == 1  # dbt's code for a failed node
    assert "no_such_table" in done.stdout
