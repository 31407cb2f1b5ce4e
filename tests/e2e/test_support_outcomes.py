"""Support outcomes end to end (docs/methodology.md, «Результаты поддержки»): `nro run` on the
planted region gives each entry onto the list its outcome rows and the programme effect; the
expected values are worked out here in Python from the facts (fct_procedure_results) and the list
(mart_low_results, mart_partner_matches), independently of the SQL of the outcome marts. That a
new year adds its horizons and changes no earlier row is checked in test_backfill.py."""

from __future__ import annotations

import statistics
from fractions import Fraction
from pathlib import Path

import pytest

from tests.support.run import RunResult, query

pytestmark = pytest.mark.e2e

HORIZON_YEARS = 3  # outcome_horizon_years
MATCHES = 5  # outcome_matches
Z_95 = statistics.NormalDist().inv_cdf((1 + 0.95) / 2)  # flag_confidence_level 0.95
OUTCOME_COLUMNS = (
    "school_id, entry_year, horizon, followup_year, had_partner, baseline_success_share, "
    "followup_success_share, change, comparison_count, comparison_change, effect, "
    "comparison_school_ids"
)

Shares = dict[tuple[str, int], Fraction]


def _built(region_run: tuple[Path, RunResult]) -> Path:
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    return warehouse


def _success_shares(warehouse: Path) -> Shares:
    """Passed / participants over the selection procedures that are not small-n, exactly."""
    rows = query(
        warehouse,
        "SELECT school_id, year, sum(participants), sum(participants - failed) "
        "FROM marts.fct_procedure_results WHERE in_selection AND NOT small_n "
        "GROUP BY ALL HAVING sum(participants) > 0",
    )
    return {
        (school, year): Fraction(int(passed), int(total)) for school, year, total, passed in rows
    }


def _expected_outcomes(warehouse: Path) -> dict[tuple[str, int, int], dict]:
    shares = _success_shares(warehouse)
    lists = query(
        warehouse,
        "SELECT school_id, year, on_initial_list, list_status FROM marts.mart_low_results",
    )
    listed = {(school, year) for school, year, on_list, _ in lists if on_list}
    built = sorted({year for _, year, _, _ in lists})
    partnered = {
        (school, year)
        for school, year in query(
            warehouse,
            "SELECT school_id, year FROM marts.mart_partner_matches WHERE partner_id IS NOT NULL",
        )
    }
    schools = {school for school, _, _, _ in lists}
    entries = [
        (school, year) for school, year, _, status in lists if status == "new" and year > built[0]
    ]
    expected = {}
    for school, entry in entries:
        for horizon in range(1, HORIZON_YEARS + 1):
            followup = entry + horizon
            if followup not in built:
                continue
            baseline, later = shares.get((school, entry)), shares.get((school, followup))
            pool = sorted(
                (abs(shares[other, entry] - baseline), other)
                for other in schools
                if baseline is not None
                and other != school
                and (other, entry) in shares
                and (other, followup) in shares
                and not any((other, entry - back) in listed for back in range(3))
            )
            matched = [other for _, other in pool[:MATCHES]]
            changes = [shares[other, followup] - shares[other, entry] for other in matched]
            change = later - baseline if later is not None and baseline is not None else None
            comparison = sum(changes) / len(changes) if changes else None
            effect = change - comparison if change is not None and comparison is not None else None
            expected[school, entry, horizon] = {
                "followup_year": followup,
                "had_partner": (school, entry) in partnered,
                "baseline_success_share": baseline,
                "followup_success_share": later,
                "change": change,
                "comparison_count": len(matched),
                "comparison_change": comparison,
                "effect": effect,
                "comparison_school_ids": matched,
            }
    return expected


def _actual_outcomes(warehouse: Path) -> dict[tuple[str, int, int], dict]:
    columns = [c.strip() for c in OUTCOME_COLUMNS.split(",")]
    rows = query(warehouse, f"SELECT {OUTCOME_COLUMNS} FROM marts.mart_list_outcomes")
    return {row[:3]: dict(zip(columns[3:], row[3:], strict=True)) for row in rows}


def _rounded(rows: list[tuple]) -> list[tuple]:
    """Doubles to 9 places: a mean may differ in its last bit with the order DuckDB sums in."""
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]


def _same(actual: object, expected: object) -> bool:
    if isinstance(expected, Fraction):
        return actual == pytest.approx(float(expected), abs=1e-12)
    return actual == expected


def test_two_listed_schools_have_their_hand_worked_outcomes(
    region_run: tuple[Path, RunResult],
) -> None:
    warehouse = _built(region_run)
    expected, actual = _expected_outcomes(warehouse), _actual_outcomes(warehouse)
    assert set(actual) == set(expected)  # every entry × built horizon, nothing else
    # T_LEFT (tests/support/planted_schools.py): on the list in 2023 only (VPR math 5 and rus 5,
    # 4 of 10 failing each: 12 / 20 = 0.6 passed), 1 of 10 each in 2024 (18 / 20 = 0.9)
    t_left = actual["T_LEFT", 2023, 1]
    assert t_left["baseline_success_share"] == pytest.approx(0.6)
    assert t_left["followup_success_share"] == pytest.approx(0.9)
    assert t_left["change"] == pytest.approx(0.3)
    # and a second entry: of the other schools, the one followed longest (the first by id)
    other = sorted((key for key in expected if key[0] != "T_LEFT"), key=lambda k: (-k[2], k))[0]
    assert other[2] >= 2
    for key in (("T_LEFT", 2023, 1), other):
        assert expected[key]["comparison_count"] > 0, key
        for column, value in expected[key].items():
            assert _same(actual[key][column], value), (key, column, actual[key][column], value)


def test_the_pooled_effect_row_is_the_mean_of_the_entries_effects(
    region_run: tuple[Path, RunResult],
) -> None:
    warehouse = _built(region_run)
    effects = [
        float(row["effect"])
        for (_, _, horizon), row in _expected_outcomes(warehouse).items()
        if horizon == 1 and row["effect"] is not None
    ]
    assert len(effects) >= 2
    mean, sd = statistics.fmean(effects), statistics.stdev(effects)
    lower = mean - Z_95 * sd / len(effects) ** 0.5
    upper = mean + Z_95 * sd / len(effects) ** 0.5
    verdict = "improved" if lower > 0 else "worsened" if upper < 0 else "unclear"
    row = query(
        warehouse,
        "SELECT schools, effect, effect_ci_lower, effect_ci_upper, verdict FROM "
        "marts.mart_programme_effect WHERE entry_year IS NULL AND horizon = 1 AND \"group\" = 'all'",
    )
    assert row == [
        (
            len(effects),
            pytest.approx(mean, abs=1e-12),
            pytest.approx(lower, abs=1e-9),
            pytest.approx(upper, abs=1e-9),
            verdict,
        )
    ]


def test_support_stage_of_the_planted_schools(region_run: tuple[Path, RunResult]) -> None:
    warehouse = _built(region_run)
    stages = dict(
        query(
            warehouse,
            "SELECT school_id || ' ' || year, support_stage || ' ' || coalesce(years_off_list, -1) "
            "FROM marts.mart_low_results WHERE school_id IN ('T_LEFT', 'T_C1', 'T_SMALL')",
        )
    )
    assert stages["T_LEFT 2023"] == "listed 0"
    assert stages["T_LEFT 2024"] == "left_unconfirmed 1"  # off the list one year only
    assert stages["T_C1 2024"] == "listed 0"
    assert stages["T_SMALL 2024"] == "none -1"  # never on the list: years_off_list null
    indicators = query(
        warehouse,
        "SELECT i.year, i.schools_exited, i.schools_escalate, l.exited, l.escalate "
        "FROM marts.mart_indicators AS i JOIN (SELECT year, "
        "count(*) FILTER (WHERE support_stage = 'exited') AS exited, "
        "count(*) FILTER (WHERE support_stage = 'escalate') AS escalate "
        "FROM marts.mart_low_results GROUP BY year) AS l USING (year)",
    )
    assert indicators and all(row[1:3] == row[3:5] for row in indicators)
