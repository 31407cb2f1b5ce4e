"""dbt unit tests: one per methodology rule, with expected values worked out by hand.

Production runs skip them (`--exclude-resource-type unit_test`); here they run once against a
built warehouse, since dbt reads the column types of each model's inputs from the relations. The
same dbt invocation runs two models' `row_rules` tests (rules with their own `where`s, and rules
sharing one) on that warehouse with rules broken on purpose: they must fail, and the build's
failure message must name each broken rule.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.failed_tests import describe_failures
from nro_pipeline.settings import DBT_PROJECT_DIR
from tests.support.run import RunResult


def test_every_dbt_unit_test_passes_and_broken_rules_are_named(
    region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    copy = tmp_path / "unit.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:  # two rules of mart_partner_matches broken
        con.execute(
            "UPDATE marts.mart_partner_matches SET match_type = 'diagonal' WHERE rowid IN "
            "(SELECT rowid FROM marts.mart_partner_matches WHERE partner_id IS NOT NULL LIMIT 2)"
        )
        con.execute(
            "UPDATE marts.mart_partner_matches SET rank = NULL WHERE rowid IN "
            "(SELECT rowid FROM marts.mart_partner_matches LIMIT 1)"
        )
        # … and one of mart_disclosure_control, whose rules share their `where` (filtered once)
        con.execute(
            "UPDATE marts.mart_disclosure_control SET hide_figures = false, hide_participants = "
            "true WHERE rowid IN (SELECT rowid FROM marts.mart_disclosure_control LIMIT 3)"
        )
    env = {**os.environ, "NRO_WAREHOUSE": str(copy), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "test",
            "--select",
            "test_type:unit",
            "rules_mart_partner_matches",
            "rules_mart_disclosure_control",
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
    passed = int(re.search(r"PASS=(\d+)", done.stdout).group(1))
    assert passed >= 26 and "ERROR=2" in done.stdout, done.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    nodes = json.loads((tmp_path / "target" / "manifest.json").read_text())["nodes"]
    assert sorted(describe_failures(results, copy, nodes)) == [
        "rules_mart_disclosure_control (rules broken: "
        "«hide_figures or not hide_participants where __run_years__» — 3 rows)",
        "rules_mart_partner_matches (rules broken: "
        "«rank is not null» — 1 row; «match_type in (horizontal, vertical)» — 2 rows)",
    ]
