"""Decision support end to end (docs/methodology.md, «Поддержка решений»): `nro run` on the
planted region builds every decision-support mart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.run import RunResult, nro, query

pytestmark = pytest.mark.e2e

NEW_MARTS = ("mart_similar_schools", "mart_school_benchmark", "mart_vpr_objectivity")


def _schools_with_isbsh(warehouse: Path, year: int) -> int:
    return query(
        warehouse,
        "SELECT count(*) FROM marts.mart_isbsh WHERE year = ? AND isbsh IS NOT NULL",
        [year],
    )[0][0]


def _built(region_run: tuple[Path, RunResult]) -> Path:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    return warehouse


def test_every_new_mart_is_built_for_every_year(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    years = [y for (y,) in query(warehouse, "SELECT DISTINCT year FROM marts.mart_low_results")]
    for mart in NEW_MARTS:
        built = {y for (y,) in query(warehouse, f"SELECT DISTINCT year FROM marts.{mart}")}
        assert built == set(years), mart
    # every registry school has a benchmark and an objectivity row
    for mart in ("mart_school_benchmark", "mart_vpr_objectivity"):
        missing = query(
            warehouse,
            f"SELECT count(*) FROM marts.mart_low_results AS l ANTI JOIN marts.{mart} AS m "
            "USING (school_id, year)",
        )
        assert missing == [(0,)], mart


def test_list_confidence_has_clear_and_borderline_schools(
    region_run: tuple[Path, RunResult],
) -> None:
    warehouse = _built(region_run)
    counts = dict(
        query(
            warehouse,
            "SELECT list_confidence, count(*) FROM marts.mart_low_results "
            "WHERE on_initial_list GROUP BY 1",
        )
    )
    assert counts.get("clear", 0) > 0 and counts.get("borderline", 0) > 0, counts
    assert None not in counts
    # T_C1 is listed on 3 of 10 (0.30 exactly): a flag that could be chance
    assert query(
        warehouse,
        "SELECT list_confidence FROM marts.mart_low_results WHERE school_id = 'T_C1' AND year = 2024",
    ) == [("borderline",)]
    # the Wilson bounds of fct_procedure_results bracket the share
    assert query(
        warehouse,
        "SELECT count(*) FROM marts.fct_procedure_results WHERE participants > 0 AND NOT "
        "(low_share_ci_lower <= low_share + 1e-12 AND low_share <= low_share_ci_upper + 1e-12)",
    ) == [(0,)]


def test_list_movement(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    statuses = dict(
        query(warehouse, "SELECT list_status, count(*) FROM marts.mart_low_results GROUP BY 1")
    )
    assert {"new", "continuing", "left", "none"} <= statuses.keys(), statuses
    assert query(
        warehouse,
        "SELECT year, list_status, years_on_list FROM marts.mart_low_results "
        "WHERE school_id = 'T_LEFT' AND year IN (2023, 2024) ORDER BY year",
    ) == [(2023, "new", 1), (2024, "left", 0)]
    # T_C2 (one low procedure every year) is listed only once criterion 2 holds, in 2024
    assert query(
        warehouse,
        "SELECT list_status, years_on_list FROM marts.mart_low_results "
        "WHERE school_id = 'T_C2' AND year = 2024",
    ) == [("new", 1)]
    # the indicators count the same movement
    mismatched = query(
        warehouse,
        "SELECT i.year FROM marts.mart_indicators AS i JOIN (SELECT year, "
        "count(*) FILTER (WHERE list_status = 'new') AS new_on_list, "
        "count(*) FILTER (WHERE list_status = 'left') AS left_list, "
        "count(*) FILTER (WHERE list_confidence = 'borderline') AS borderline "
        "FROM marts.mart_low_results GROUP BY year) AS l USING (year) "
        "WHERE i.schools_new_on_list <> l.new_on_list OR i.schools_left_list <> l.left_list "
        "OR i.schools_borderline <> l.borderline",
    )
    assert mismatched == []


def test_similar_schools_are_the_exact_nearest(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    # the planted region has fewer than 51 schools a year: every other school of the year
    sizes = query(
        warehouse,
        "SELECT count(*) FROM (SELECT school_id, year, count(*) AS n "
        "FROM marts.mart_similar_schools GROUP BY ALL) AS s JOIN (SELECT year, "
        "least(50, count(*) - 1) AS expected FROM marts.mart_isbsh WHERE isbsh IS NOT NULL "
        "GROUP BY year) AS y USING (year) WHERE n <> expected",
    )
    assert sizes == [(0,)]
    # brute force in SQL for one year: the same features that year's ISBSh weighed, z null → 0
    brute = """
        WITH points AS (
            SELECT f.school_id, f.feature, coalesce(f.z, 0) AS z
            FROM intermediate.int_isbsh_features AS f
            JOIN marts.isbsh_weights_fitted AS w ON w.year = f.year AND w.feature = f.feature
            JOIN marts.mart_isbsh AS i ON i.school_id = f.school_id AND i.year = f.year
            WHERE f.year = 2024 AND f.is_used AND i.isbsh IS NOT NULL
        ),
        pairs AS (
            SELECT a.school_id, b.school_id AS similar_school_id,
                sqrt(sum((a.z - b.z) * (a.z - b.z))) AS distance
            FROM points AS a JOIN points AS b ON a.feature = b.feature AND a.school_id <> b.school_id
            WHERE a.school_id IN ('T_C1', 'T_LEFT', (SELECT min(school_id) FROM points))
            GROUP BY ALL
        )
        SELECT school_id, row_number() OVER (PARTITION BY school_id
            ORDER BY round(distance, 9), similar_school_id) AS rank, similar_school_id
        FROM pairs QUALIFY rank <= 50 ORDER BY ALL
    """
    expected = query(warehouse, brute)
    actual = query(
        warehouse,
        "SELECT school_id, rank, similar_school_id FROM marts.mart_similar_schools "
        "WHERE year = 2024 AND school_id IN (SELECT DISTINCT school_id FROM (" + brute + ")) "
        "ORDER BY ALL",
    )
    assert len(expected) == 3 * min(50, _schools_with_isbsh(warehouse, 2024) - 1)
    assert actual == expected
    # the planted schools share one passport: their nearest are each other, at distance 0
    twins = query(
        warehouse,
        "SELECT similar_school_id, distance FROM marts.mart_similar_schools "
        "WHERE year = 2024 AND school_id = 'T_C1' AND rank <= 2 ORDER BY rank",
    )
    assert twins == [("T_2Y", 0.0), ("T_C2", 0.0)]


def test_benchmark_levels_of_all_three_kinds(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    levels = dict(
        query(
            warehouse,
            "SELECT benchmark_level, count(*) FROM marts.mart_school_benchmark "
            "WHERE year = 2024 GROUP BY 1",
        )
    )
    assert all(levels.get(level, 0) > 0 for level in ("below", "typical", "above")), levels
    assert query(
        warehouse,
        "SELECT count(*) FROM marts.mart_school_benchmark "
        "WHERE year = 2024 AND (group_percentile NOT BETWEEN 0 AND 1 OR group_size NOT IN (0, ?))",
        [min(50, _schools_with_isbsh(warehouse, 2024) - 1)],
    ) == [(0,)]


def test_objectivity_signals_and_confirmed_dynamics(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    signals = query(
        warehouse,
        "SELECT count(*) FILTER (WHERE high_marks_excess), "
        "count(*) FILTER (WHERE not_confirmed_by_oge), count(*) FILTER (WHERE sharp_improvement), "
        "count(*) FILTER (WHERE objectivity_doubtful), count(*) FROM marts.mart_vpr_objectivity",
    )[0]
    assert signals[3] > 0 and signals[3] < signals[4], signals
    # confirmed is false exactly where the step's year is doubtful
    assert query(
        warehouse,
        "SELECT count(*) FROM marts.mart_cohort_dynamics AS d "
        "LEFT JOIN marts.mart_vpr_objectivity AS o ON o.school_id = d.school_id AND o.year = d.to_year "
        "WHERE d.confirmed IS DISTINCT FROM "
        "CASE WHEN d.dynamics IS NOT NULL THEN NOT coalesce(o.objectivity_doubtful, false) END",
    ) == [(0,)]


def test_same_procedure_rule(region_copy: tuple[Path, Path]) -> None:
    landing, warehouse = region_copy
    result = nro(
        "run",
        "--years",
        "2024",
        "--var",
        "criterion2_mode=same_procedure",
        "--var",
        "persistence_years=2",
        landing=landing,
        warehouse=warehouse,
    )
    assert result.returncode == 0, result.output

    def row(school: str) -> tuple:
        return query(
            warehouse,
            "SELECT criterion_2, criterion_2_procedures, on_initial_list, reasons, rule_set "
            "FROM marts.mart_low_results WHERE school_id = ? AND year = 2024",
            [school],
        )[0]

    criterion_2, procedures, listed, reasons, rule_set = row("T_2Y")
    assert (criterion_2, procedures, listed) == (True, ["VPR_rus_5"], True)
    assert (
        "по одной и той же процедуре 2 года подряд (2023–2024): ВПР русский язык 5 класс" in reasons
    )
    assert "одна и та же процедура" in rule_set and "2 лет подряд (2023–2024)" in rule_set
    # T_SWITCH is low in both years, but through different procedures: not under this rule
    assert row("T_SWITCH")[:3] == (False, [], False)
    assert query(
        warehouse,
        "SELECT consecutive_low_years FROM marts.mart_persistence "
        "WHERE school_id = 'T_SWITCH' AND year = 2024",
    ) == [(2,)]
    # the whole list: criterion 2 holds exactly where some selection procedure is low in 2023 and 2024
    expected = query(
        warehouse,
        "SELECT DISTINCT a.school_id FROM marts.fct_procedure_results AS a "
        "JOIN marts.fct_procedure_results AS b ON b.school_id = a.school_id "
        "AND b.procedure_id = a.procedure_id AND b.year = 2023 "
        "WHERE a.year = 2024 AND a.in_selection AND a.is_low AND b.is_low ORDER BY 1",
    )
    actual = query(
        warehouse,
        "SELECT school_id FROM marts.mart_low_results WHERE year = 2024 AND criterion_2 ORDER BY 1",
    )
    assert actual == expected and len(actual) > 0
