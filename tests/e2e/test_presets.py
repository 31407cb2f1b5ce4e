"""The regional presets end to end (docs/methodology.md, «Варианты методики и пресеты»): the planted
region with three more planted schools (tests/support/planted_variants.py) run with
`--preset izhevsk` and `--preset zernograd`, and `nro calibrate-isbsh` then a run with its preset.

The planted schools' answers are worked out by hand in planted_variants.py; where a value also
depends on the generated schools (a rank within a status group), the test counts those schools
from the warehouse and applies the rule to the count.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.built_once import built_once, shared_root
from tests.support.planted_variants import plant_variants
from tests.support.run import REGION_YEARS, RunResult, nro, query


@pytest.fixture(scope="module")
def variant_region(planted_region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(folder: Path) -> dict:
        shutil.copytree(planted_region, folder / "landing")
        plant_variants(folder / "landing", REGION_YEARS)
        return {}

    folder, _ = built_once(shared_root(tmp_path_factory), "variant_region", build)
    return folder / "landing"


def _run_preset(landing: Path, folder: Path, preset: str, years: str) -> tuple[Path, RunResult]:
    """A run with the preset over the years its checks need (each year costs a dbt build)."""
    warehouse = folder / "nro.duckdb"
    return warehouse, nro(
        "run", "--preset", preset, "--years", years, landing=landing, warehouse=warehouse
    )


def _cluster(warehouse: Path, school: str, year: int = 2024) -> tuple:
    rows = query(
        warehouse,
        "select result_index, result_level, social_status, isbsh_quintile, cluster "
        "from marts.mart_school_clusters where school_id = ? and year = ?",
        [school, year],
    )
    assert len(rows) == 1, (school, year)
    return rows[0]


def _partner(warehouse: Path, school: str, year: int = 2024) -> tuple:
    rows = query(
        warehouse,
        "select partner_id, mentee_reason, reason from marts.mart_partner_matches "
        "where school_id = ? and year = ? and rank = 1",
        [school, year],
    )
    assert len(rows) == 1, (school, year)
    return rows[0]


def _listed(warehouse: Path, school: str, year: int = 2024) -> tuple:
    return query(
        warehouse,
        "select on_initial_list, reasons, rule_set from marts.mart_low_results "
        "where school_id = ? and year = ?",
        [school, year],
    )[0]


def test_izhevsk(variant_region: Path, tmp_path: Path) -> None:
    # Every rule checked here looks at one year's results: 2024 alone.
    warehouse, result = _run_preset(variant_region, tmp_path, "izhevsk", "2024")
    assert result.returncode == 0, result.output[-3000:]

    # Selection VPR 4 and OGE, one low procedure enough: V_LISTED through VPR math 4 (5 of 10);
    # T_C1, listed under the federal method by VPR math 5 and EGE rus, is not
    on_list, reasons, rule_set = _listed(warehouse, "V_LISTED")
    assert on_list and "ВПР математика 4 класс" in reasons
    assert rule_set.startswith("Пресет «izhevsk». Критерий 1: не менее 1 процедуры")
    assert not _listed(warehouse, "T_C1")[0]

    # One passport, one status for all ten planted schools; not favourable (the bottom of the
    # region), so a high result index within the group makes a school resilient.
    statuses = query(
        warehouse,
        "select distinct social_status, isbsh_quintile from marts.mart_school_clusters "
        "where year = 2024 and (school_id like 'T\\_%' escape '\\' or school_id like 'V\\_%' "
        "escape '\\')",
    )
    assert len(statuses) == 1 and statuses[0][0] != "favourable", statuses
    status = statuses[0][0]

    # Result index within the group: V_STABLE's share is 1.0 (VPR 4 without a failure), the top;
    # percent_rank = the group's schools with a lower share / (the group's schools − 1).
    (lower, group), *_ = query(
        warehouse,
        "select count(*) filter (where r.success_share < 1), count(r.success_share) "
        "from intermediate.int_school_result_index as r "
        "join marts.mart_isbsh as i using (school_id, year) "
        "where r.year = 2024 and i.social_status = ?",
        [status],
    )
    index, level, _, _, cluster = _cluster(warehouse, "V_STABLE")
    assert index == pytest.approx(lower / (group - 1))
    assert level == "high" and cluster == "resilient"
    # T_C1 has neither VPR 4 nor OGE: no result index, so neither high nor low — stable
    assert _cluster(warehouse, "T_C1")[::4] == (None, "stable")
    # V_ZHIGH has no VPR 4 either, so it is no partner, near as it is
    assert _cluster(warehouse, "V_ZHIGH")[0] is None

    # Partner of V_LISTED: the nearest resilient school of its quintile, V_STABLE (1.86 km)
    partner, mentee_reason, _ = _partner(warehouse, "V_LISTED")
    assert (partner, mentee_reason) == ("V_STABLE", "list")
    # every partner is resilient; every unfavourable school off the list has a row
    not_resilient = query(
        warehouse,
        "select m.partner_id from marts.mart_partner_matches as m "
        "join marts.mart_school_clusters as c on c.school_id = m.partner_id and c.year = m.year "
        "where c.cluster <> 'resilient'",
    )
    assert not_resilient == []
    missing = query(
        warehouse,
        "select i.school_id from marts.mart_isbsh as i "
        "join marts.mart_low_results as l using (school_id, year) "
        "where i.year = 2024 and i.social_status = 'unfavourable' and not l.on_initial_list "
        "except select school_id from marts.mart_partner_matches "
        "where year = 2024 and mentee_reason = 'unfavourable'",
    )
    assert missing == []
    if status == "unfavourable":  # then the planted schools off the list are mentees too
        assert _partner(warehouse, "T_C1")[1] == "unfavourable"


def test_zernograd(variant_region: Path, tmp_path: Path) -> None:
    # Partners need a high result in each of the last three years: 2022–2024.
    warehouse, result = _run_preset(variant_region, tmp_path, "zernograd", "2022-2024")
    assert result.returncode == 0, result.output[-3000:]
    assert _listed(warehouse, "V_LISTED")[2].startswith("Пресет «zernograd».")

    # The ISBSh of every year keeps the significant features only (or the single best one)
    fits = query(
        warehouse,
        "select year, count(*) filter (where feature <> 'intercept'), any_value(n_features), "
        "bool_and(feature = 'intercept' or p_value < 0.05), any_value(dropped_features) "
        "from marts.isbsh_weights_fitted group by year order by year",
    )
    assert [row[0] for row in fits] == [2022, 2023, 2024]
    for year, kept, n_features, significant, dropped in fits:
        assert kept == n_features >= 1, year
        assert significant or kept == 1, year
        assert kept == 12 or dropped, year

    # V_LISTED (federal selection: VPR math 5 and rus 5, 5 of 10 each) is on the list in 2024.
    assert _listed(warehouse, "V_LISTED")[0]
    # V_ZHIGH: share 1.0 in 2023 and 2024 — high —, 0.8 in 2022 — below the lower quartile
    levels = query(
        warehouse,
        "select year, result_level from marts.mart_school_clusters "
        "where school_id = 'V_ZHIGH' and year >= 2022 order by year",
    )
    assert levels[1:] == [(2023, "high"), (2024, "high")]
    assert levels[0][1] != "high"
    assert [
        level
        for _, level in query(
            warehouse,
            "select year, result_level from marts.mart_school_clusters "
            "where school_id = 'V_STABLE' and year >= 2022 order by year",
        )
    ] == ["high"] * 3
    # so V_LISTED's partner is V_STABLE (1.86 km), not the nearer V_ZHIGH (0.62 km)
    partner, mentee_reason, _ = _partner(warehouse, "V_LISTED")
    assert (partner, mentee_reason) == ("V_STABLE", "list")
    assert query(
        warehouse, "select count(*) from marts.mart_partner_matches where partner_id = 'V_ZHIGH'"
    ) == [(0,)]
    # no partner anywhere with a year below high in the last three
    unstable = query(
        warehouse,
        "select m.year, m.partner_id from marts.mart_partner_matches as m "
        "join marts.mart_school_clusters as c on c.school_id = m.partner_id "
        "and c.year between m.year - 2 and m.year "
        "group by m.year, m.partner_id, m.school_id "
        "having count(*) filter (where c.result_level = 'high') < 3",
    )
    assert unstable == []
    # schools of unfavourable status off the list are mentees too
    unfavourable = query(
        warehouse,
        "select count(*) from marts.mart_partner_matches where mentee_reason = 'unfavourable'",
    )
    assert unfavourable[0][0] > 0


def test_calibrated_scale_keeps_the_base_years_statuses(
    region_copy: tuple[Path, Path], region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    base, _ = region_run
    landing, warehouse = region_copy
    preset = tmp_path / "scale_2022.yml"
    done = nro(
        "calibrate-isbsh",
        "--year",
        "2022",
        "--out",
        str(preset),
        landing=landing,
        warehouse=warehouse,
    )
    assert done.returncode == 0, done.output
    text = preset.read_text(encoding="utf-8")
    assert "social_status_method: threshold" in text and "isbsh_method: fixed" in text

    # The base year and one after it: enough to show both, at a third of a five-year run.
    result = nro(
        "run", "--preset", str(preset), "--years", "2022,2023", landing=landing, warehouse=warehouse
    )
    assert result.returncode == 0, result.output[-3000:]
    statuses = (
        "select school_id, year, social_status from marts.mart_isbsh where year = ? order by 1"
    )
    assert query(warehouse, statuses, [2022]) == query(base, statuses, [2022])
    assert _listed(warehouse, "T_C1", 2023)[2].startswith("Пресет «scale_2022».")
    # the other years are measured on 2022's scale: a status for every school with an ISBSh
    assert query(
        warehouse,
        "select count(*) from marts.mart_isbsh where isbsh is not null and social_status is null",
    ) == [(0,)]
