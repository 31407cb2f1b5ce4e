"""`nro run` on a generated region with planted schools whose flags were worked out by hand."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dagster as dg

from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.resources import LandingZoneResource, WarehouseResource
from tests.support.marts import MARTS, year_column
from tests.support.run import REGION_YEARS, RunResult, nro, query

defs = load_definitions()


def _flags(warehouse: Path, school: str, year: int) -> tuple:
    rows = query(
        warehouse,
        "SELECT low_procedures, criterion_1, criterion_2, on_initial_list, reasons "
        "FROM marts.mart_low_results WHERE school_id = ? AND year = ?",
        [school, year],
    )
    assert len(rows) == 1, f"{school} {year}: expected one row, got {rows}"
    return rows[0]


def test_run_succeeds_for_every_year(region_run: tuple[Path, RunResult]) -> None:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    years = [
        r[0]
        for r in query(warehouse, "SELECT DISTINCT year FROM marts.mart_low_results ORDER BY 1")
    ]
    assert years == REGION_YEARS
    assert "schools on the initial list" in result.output


def test_dbt_log_keeps_results_not_every_statement(region_run: tuple[Path, RunResult]) -> None:
    """settings sets DBT_LOG_LEVEL_FILE=info: the run's dbt.log has no debug lines."""
    warehouse, _ = region_run
    levels = {
        json.loads(line)["info"]["level"]
        for line in (warehouse.parent / "dbt_target" / "dbt.log").read_text().splitlines()
        if line.startswith("{")
    }
    assert "info" in levels and "debug" not in levels


def test_criterion_1_school(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    low, c1, c2, listed, reasons = _flags(warehouse, "T_C1", 2024)
    assert (low, c1, c2, listed) == (2, True, False, True)
    assert "критерий 1" in reasons and "критерий 2" not in reasons
    assert _flags(warehouse, "T_C1", 2023)[:4] == (0, False, False, False)
    shares = dict(
        query(
            warehouse,
            "SELECT procedure_id, low_share FROM marts.fct_procedure_results "
            "WHERE school_id = 'T_C1' AND year = 2024 AND procedure_id IN ('VPR_math_5', 'EGE_rus')",
        )
    )
    assert shares == {"VPR_math_5": 0.3, "EGE_rus": 0.3}


def test_criterion_2_only_school(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    low, c1, c2, listed, reasons = _flags(warehouse, "T_C2", 2024)
    assert (low, c1, c2, listed) == (1, False, True, True)
    assert "критерий 2" in reasons and "критерий 1" not in reasons
    # 2023 would need 2019, which has no data: a school without data in a year does not meet it.
    assert _flags(warehouse, "T_C2", 2023)[:4] == (1, False, False, False)


def test_small_n_school_is_never_low(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    rows = query(
        warehouse,
        "SELECT procedure_id, participants, failed, small_n, is_low FROM marts.fct_procedure_results "
        "WHERE school_id = 'T_SMALL' AND year = 2024 ORDER BY procedure_id",
    )
    assert rows == [("VPR_math_5", 4, 4, True, False), ("VPR_rus_5", 4, 3, True, False)]
    assert _flags(warehouse, "T_SMALL", 2024)[:4] == (0, False, False, False)


def test_retakes_and_past_graduates_do_not_count(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    rows = query(
        warehouse,
        "SELECT procedure_id, participants, failed, is_low FROM marts.fct_procedure_results "
        "WHERE school_id = 'T_RETAKE' AND year = 2024 AND exam = 'OGE' ORDER BY procedure_id",
    )
    assert rows == [("OGE_math", 10, 0, False), ("OGE_rus", 10, 0, False)]
    assert _flags(warehouse, "T_RETAKE", 2024)[:4] == (0, False, False, False)


def test_two_year_persistence_variant(planted_region: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "two_years.duckdb"
    result = nro(
        "run",
        "--years",
        "2022-2024",
        "--var",
        "persistence_years=2",
        landing=planted_region,
        warehouse=warehouse,
    )
    assert result.returncode == 0, result.output
    assert _flags(warehouse, "T_2Y", 2024)[:4] == (1, False, True, True)
    assert _flags(warehouse, "T_2Y", 2023)[:4] == (1, False, False, False)
    # With two years, T_C2 (low every year) meets criterion 2 in 2023 too.
    assert _flags(warehouse, "T_C2", 2023)[:4] == (1, False, True, True)


def test_default_persistence_does_not_list_two_year_school(
    region_run: tuple[Path, RunResult],
) -> None:
    warehouse, _ = region_run
    assert _flags(warehouse, "T_2Y", 2024)[:4] == (1, False, False, False)


def test_every_mart_is_filled_for_the_latest_year(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    for mart in MARTS:
        column = year_column(mart)
        where = f" WHERE {column} = 2024" if column else ""
        count = query(warehouse, f"SELECT count(*) FROM marts.{mart}{where}")
        assert count[0][0] > 0, mart


def test_clusters_are_sensible(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    clusters = dict(
        query(
            warehouse,
            "SELECT cluster, count(*) FROM marts.mart_school_clusters WHERE year = 2024 GROUP BY 1",
        )
    )
    assert clusters.get("resilient", 0) > 0 and clusters.get("crisis", 0) > 0
    # A crisis school has low results; a resilient one high results without favourable conditions.
    wrong = query(
        warehouse,
        "SELECT count(*) FROM marts.mart_school_clusters WHERE "
        "(cluster = 'crisis' AND result_level <> 'low') OR "
        "(cluster = 'resilient' AND (result_level <> 'high' OR social_status = 'favourable'))",
    )
    assert wrong == [(0,)]


def test_each_listed_school_has_a_partner_or_a_reason(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    unexplained = query(
        warehouse,
        """SELECT l.year, l.school_id FROM marts.mart_low_results l
           LEFT JOIN marts.mart_partner_matches m USING (school_id, year)
           WHERE l.on_initial_list AND (m.school_id IS NULL OR (m.partner_id IS NULL AND m.reason IS NULL))""",
    )
    assert unexplained == []
    matched = query(
        warehouse, "SELECT count(*) FROM marts.mart_partner_matches WHERE partner_id IS NOT NULL"
    )
    assert matched[0][0] > 0


def test_partners_respect_every_constraint(region_run: tuple[Path, RunResult]) -> None:
    warehouse, _ = region_run
    over_capacity = query(
        warehouse,
        "SELECT year, partner_id, count(*) FROM marts.mart_partner_matches "
        "WHERE partner_id IS NOT NULL GROUP BY ALL HAVING count(*) > 3",
    )
    assert over_capacity == []
    violations = query(
        warehouse,
        """SELECT m.year, m.school_id, m.partner_id
           FROM marts.mart_partner_matches m
           JOIN marts.mart_school_clusters pc ON pc.school_id = m.partner_id AND pc.year = m.year
           JOIN marts.mart_isbsh mi ON mi.school_id = m.school_id AND mi.year = m.year
           JOIN marts.mart_isbsh pi ON pi.school_id = m.partner_id AND pi.year = m.year
           WHERE m.partner_id IS NOT NULL AND (
               pc.result_level <> 'high'
               OR pi.isbsh_quintile NOT IN (mi.isbsh_quintile, mi.isbsh_quintile - 1)
               OR EXISTS (SELECT 1 FROM marts.mart_low_results l WHERE l.school_id = m.partner_id
                          AND l.on_initial_list AND l.year BETWEEN m.year - 2 AND m.year))""",
    )
    assert violations == []


def test_freshness_check_flags_a_landing_file_newer_than_the_marts(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, _ = region_run
    landing = tmp_path / "landing"
    shutil.copytree(planted_region, landing)
    os.utime(landing / "2023" / "vpr_results.csv")  # delivered again after the run
    job = defs.resolve_job_def("check_landing_freshness")
    result = job.execute_in_process(
        resources={
            "landing": LandingZoneResource(path=str(landing)),
            "warehouse": WarehouseResource(path=str(warehouse)),
        }
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description.startswith("Refresh years 2023:")
    assert "2023: vpr_results.csv changed after its marts were built" in evaluation.description


def test_freshness_check_flags_a_landed_year_without_marts_and_passes_when_healthy(
    planted_region: Path, region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, _ = region_run
    job = defs.resolve_job_def("check_landing_freshness")

    def evaluate(landing: Path) -> dg.AssetCheckEvaluation:
        result = job.execute_in_process(
            resources={
                "landing": LandingZoneResource(path=str(landing)),
                "warehouse": WarehouseResource(path=str(warehouse)),
            }
        )
        [evaluation] = result.get_asset_check_evaluations()
        return evaluation

    healthy = evaluate(planted_region)
    assert healthy.passed, healthy.description
    landing = tmp_path / "landing"
    shutil.copytree(planted_region, landing)
    shutil.copytree(landing / "2024", landing / "2025")  # landed, never built
    stale = evaluate(landing)
    assert not stale.passed
    assert stale.description == ("Refresh years 2025: 2025: landed, but its marts were never built")
