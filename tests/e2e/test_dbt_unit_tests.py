"""dbt unit tests: one per methodology rule, with expected values worked out by hand.

Production runs skip them (`--exclude-resource-type unit_test`); here they run once against a
built warehouse, since dbt reads the column types of each model's inputs from the relations.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nro_pipeline.settings import DBT_PROJECT_DIR
from tests.support.run import RunResult


def test_every_dbt_unit_test_passes(region_run: tuple[Path, RunResult], tmp_path: Path) -> None:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    copy = tmp_path / "unit.duckdb"
    shutil.copy(warehouse, copy)
    env = {**os.environ, "NRO_WAREHOUSE": str(copy), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "test",
            "--select",
            "test_type:unit",
            "--target-path",
            str(tmp_path / "target"),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    passed = int(re.search(r"PASS=(\d+)", done.stdout).group(1))
    assert passed >= 26 and "ERROR=0" in done.stdout
