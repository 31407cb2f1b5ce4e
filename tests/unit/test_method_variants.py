"""The regional variants of the method (docs/methodology.md, «Варианты методики и пресеты») in the
two Python models, on hand-worked cases: a feature dropped as not significant, a partner dropped
for a year below `high`, a partner pool of resilient schools only, and schools of unfavourable
social status matched beside the listed ones; then the presets and their loader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from nro_pipeline.cli import main
from nro_pipeline.lib.contract.parameters import parameter_problems
from nro_pipeline.lib.contract.presets import (
    PresetError,
    available_presets,
    load_preset,
    run_vars,
)
from tests.unit.test_social_python_models import FakeDbt, load

weights_model = load("isbsh_weights_fitted")
partners_model = load("mart_partner_matches")

# ------------------------------------------------------------------- isbsh_features: significant

# Eight schools, two orthogonal features (each column sums to 0, their product too) and a result
# index 0.5 + 0.2 × z_a + e, where e = ±0.01 is orthogonal to 1, z_a and z_b. By hand: the full fit
# gives a = 0.5, w_a = 0.2, w_b = 0; residuals e, SSR = 8 × 0.0001, n − k − 1 = 5 degrees of
# freedom, σ² = 0.00016; X'X = 8 I, so se = √(0.00016 / 8) = 0.00447 for both weights:
# t_a = 44.7 (p ≈ 1e-7, kept), t_b = 0 (p = 1, dropped). The refit on z_a alone: 0.5 + 0.2 z_a.
Z_A = np.array([-1, -1, -1, -1, 1, 1, 1, 1], dtype=float)
Z_B = np.array([-1, -1, 1, 1, -1, -1, 1, 1], dtype=float)
E = 0.01 * np.array([1, -1, -1, 1, -1, 1, 1, -1], dtype=float)
SCHOOLS = [f"S{i}" for i in range(8)]


def eight_schools() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for i, school in enumerate(SCHOOLS):
        rows.append((school, 2024, "low_income_share", 1, Z_A[i], True))
        rows.append((school, 2024, "internet_mbps", 10, Z_B[i], True))
    features = pd.DataFrame(
        rows, columns=["school_id", "year", "feature", "feature_order", "z", "is_used"]
    )
    index = pd.DataFrame({"school_id": SCHOOLS, "year": 2024, "result_index": 0.5 + 0.2 * Z_A + E})
    return features, index


SEED = pd.DataFrame({"feature": ["low_income_share", "internet_mbps"], "weight": [-0.2, 0.05]})


def test_a_feature_that_explains_nothing_is_dropped_and_the_fit_repeated() -> None:
    features, index = eight_schools()
    p = weights_model.ols_p_values(np.column_stack([Z_A, Z_B]), 0.5 + 0.2 * Z_A + E)
    assert p[1] == pytest.approx(1.0)
    assert p[0] < 1e-6
    out = weights_model.compute(features, index, SEED, "ols", None, "significant", 0.05)
    got = dict(zip(out["feature"], out["weight"], strict=True))
    assert set(got) == {"low_income_share", "intercept"}
    assert got["low_income_share"] == pytest.approx(0.2)
    assert got["intercept"] == pytest.approx(0.5)
    assert set(out["n_features"]) == {1}
    assert set(out["dropped_features"]) == {"internet_mbps (p = 1)"}
    kept = out[out["feature"] == "low_income_share"].iloc[0]
    assert kept["p_value"] < 1e-6
    # under `all` both stay, as before (w_b = 0), with no p-values
    every = weights_model.compute(features, index, SEED, "ols", None)
    assert set(every["feature"]) == {"low_income_share", "internet_mbps", "intercept"}
    assert every["p_value"].isna().all() and every["dropped_features"].isna().all()


def test_when_no_feature_is_significant_the_smallest_p_is_kept() -> None:
    features, index = eight_schools()
    out = weights_model.compute(features, index, SEED, "ols", None, "significant", 1e-12)
    assert set(out["feature"]) == {"low_income_share", "intercept"}


def test_the_weights_model_reads_the_preset_rows_instead_of_the_seed() -> None:
    given = '[{"feature": "low_income_share", "weight": -0.5, "mean": 0.2, "sd": 0.1}]'
    seed = weights_model.given_weights(given, SEED)
    assert seed.to_dict("records") == [{"feature": "low_income_share", "weight": -0.5}]
    assert weights_model.given_weights("null", SEED) is SEED


# ------------------------------------------------------------------------------------ partners

# Year 2024 on the equator (1° of longitude ≈ 111.2 km), one municipality, every school NOO+OOO.
#   M1      listed, q3, at 0°
#   U1      not listed, unfavourable, q1, at 10°, result level medium (at_risk)
#   U2      not listed, unfavourable, q1, at 20°, high results (resilient) — a mentee, yet a
#           partner for U1 (never for itself)
#   P_NEAR  q3, 0.1° from M1, high in 2024 and 2023 but medium in 2022; neutral → resilient
#   P_FAR   q3, 0.5° from M1, high in 2022, 2023 and 2024; neutral → resilient
#   P_FAV   q3, 0.05° from M1, high every year but favourable status → cluster stable
SCHOOLS_2024 = [
    ("M1", 0.0, 3, "unfavourable"),
    ("U1", 10.0, 1, "unfavourable"),
    ("U2", 20.0, 1, "unfavourable"),
    ("P_NEAR", 0.1, 3, "neutral"),
    ("P_FAR", 0.5, 3, "neutral"),
    ("P_FAV", 0.05, 3, "favourable"),
]
LEVELS = {  # result level by year 2022, 2023, 2024
    "M1": ("low", "low", "low"),
    "U1": ("medium", "medium", "medium"),
    "U2": ("high", "high", "high"),
    "P_NEAR": ("medium", "high", "high"),
    "P_FAR": ("high", "high", "high"),
    "P_FAV": ("high", "high", "high"),
}
CLUSTER = {"low": "crisis", "medium": "at_risk", "high": "resilient"}


def variant_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    schools = pd.DataFrame(
        [(s, 2024, "R", 0.0, lon, "NOO,OOO", True) for s, lon, _, _ in SCHOOLS_2024],
        columns=[
            "school_id",
            "year",
            "municipality",
            "latitude",
            "longitude",
            "levels",
            "is_active",
        ],
    )
    results, clusters = [], []
    for school, _, _, status in SCHOOLS_2024:
        for year, level in zip((2022, 2023, 2024), LEVELS[school], strict=True):
            index = {"low": 0.1, "medium": 0.5, "high": 0.9}[level]
            results.append((school, year, index, level))
            cluster = "stable" if status == "favourable" and level != "low" else CLUSTER[level]
            clusters.append((school, year, index, level, status, cluster))
    isbsh = pd.DataFrame(
        [(s, 2024, float(q), q) for s, _, q, _ in SCHOOLS_2024],
        columns=["school_id", "year", "isbsh", "isbsh_quintile"],
    )
    low = pd.DataFrame(
        [(s, 2024, s == "M1") for s, *_ in SCHOOLS_2024],
        columns=["school_id", "year", "on_initial_list"],
    )
    frames = {
        "stg_schools": schools,
        "int_school_result_index": pd.DataFrame(
            results, columns=["school_id", "year", "result_index", "result_level"]
        ),
        "mart_school_clusters": pd.DataFrame(
            clusters,
            columns=[
                "school_id",
                "year",
                "result_index",
                "result_level",
                "social_status",
                "cluster",
            ],
        ),
        "mart_isbsh": isbsh,
        "mart_low_results": low,
    }
    for name, frame in frames.items():
        con.register(f"{name}_df", frame)
        con.execute(f"create table {name} as select * from {name}_df")
    return con


META = {
    "run_years": "[2024]",
    "partners_per_school": "1",
    "partner_capacity": "3",
    "partner_exclusion_years": "3",
    "partner_distance_same_municipality_km": "25",
    "partner_distance_other_municipality_km": "250",
}


def partners(**variant: str) -> dict[str, dict]:
    con = variant_warehouse()
    out = partners_model.model(FakeDbt(con, {**META, **variant}), con)
    return {row["school_id"]: row for row in out.to_dict("records")}


def test_the_federal_method_takes_the_nearest_high_school() -> None:
    rows = partners()
    assert set(rows) == {"M1"}
    assert rows["M1"]["partner_id"] == "P_FAV"  # 0.05°: high results, same quintile
    assert rows["M1"]["mentee_reason"] == "list"


def test_a_partner_with_a_year_below_high_is_dropped() -> None:
    # partner_high_years 3: P_FAV and P_FAR are high in 2022–2024, P_NEAR only in 2023–2024
    rows = partners(partner_high_years="3")
    assert rows["M1"]["partner_id"] == "P_FAV"
    rows = partners(partner_high_years="3", partner_pool="resilient")
    assert rows["M1"]["partner_id"] == "P_FAR"  # P_FAV is stable, P_NEAR not stably high
    rows = partners(partner_high_years="2", partner_pool="resilient")
    assert rows["M1"]["partner_id"] == "P_NEAR"  # two years are enough for it


def test_the_resilient_pool_leaves_out_a_favourable_high_school() -> None:
    rows = partners(partner_pool="resilient")
    assert rows["M1"]["partner_id"] == "P_NEAR"


def test_unfavourable_schools_are_matched_beside_the_listed_ones() -> None:
    rows = partners(partner_mentees="list_and_unfavourable")
    assert set(rows) == {"M1", "U1", "U2"}
    assert {s: r["mentee_reason"] for s, r in rows.items()} == {
        "M1": "list",
        "U1": "unfavourable",
        "U2": "unfavourable",
    }
    assert rows["M1"]["partner_id"] == "P_FAV"
    # U1 (q1) may take a q1 partner only: U2, a mentee itself; U2 has none but itself
    assert rows["U1"]["partner_id"] == "U2"
    assert rows["U1"]["distance_km"] == pytest.approx(10 * 111.195, rel=1e-3)
    assert pd.isna(rows["U2"]["partner_id"])
    assert rows["U2"]["reason"].startswith("нет школы-партнёра")


def test_the_reason_names_the_regions_own_conditions() -> None:
    con = variant_warehouse()
    con.execute("update mart_school_clusters set cluster = 'stable' where school_id like 'P_%'")
    meta = {**META, "partner_pool": "resilient", "partner_high_years": "3"}
    out = partners_model.model(FakeDbt(con, meta), con)
    reason = out.loc[out["school_id"] == "M1", "reason"].iloc[0]
    assert (
        "устойчивых школ (кластер resilient) с высокими результатами в каждом из последних 3 лет"
        in reason
    )


# ------------------------------------------------------------------------------------- presets


def test_every_preset_loads_and_its_values_are_valid_parameters() -> None:
    assert set(available_presets()) >= {
        "fioko",
        "fioko_2025",
        "kemerovo",
        "izhevsk",
        "irkutsk",
        "zernograd",
    }
    for name in available_presets():
        preset = load_preset(name)
        assert preset.source, f"{name} cites no seed sentence"
        assert parameter_problems(preset.dbt_vars()) == [], name


def test_the_izhevsk_preset_gives_its_selection_as_seed_rows() -> None:
    found = load_preset("izhevsk").dbt_vars()
    assert found["selection_procedures"] == ["VPR_math_4", "VPR_rus_4", "OGE_math", "OGE_rus"]
    assert found["criterion1_min_procedures"] == 1
    assert found["preset"] == "izhevsk"


def test_var_wins_over_the_preset() -> None:
    merged = run_vars("kemerovo", {"persistence_years": 3, "low_share_threshold": 0.25})
    assert merged == {"persistence_years": 3, "low_share_threshold": 0.25, "preset": "kemerovo"}
    assert run_vars(None, {"persistence_years": 3}) == {"persistence_years": 3}


def test_a_preset_file_outside_the_repository(tmp_path: Path) -> None:
    path = tmp_path / "my_region.yml"
    path.write_text(
        "region: Мой регион\nsource: наш приказ\nparameters:\n  partner_pool: resilient\n",
        encoding="utf-8",
    )
    assert run_vars(str(path), {}) == {"partner_pool": "resilient", "preset": "my_region"}
    with pytest.raises(PresetError, match="no preset 'atlantis'"):
        load_preset("atlantis")
    path.write_text("seeds:\n  min_scores: []\n", encoding="utf-8")
    with pytest.raises(PresetError, match="min_scores cannot be given"):
        load_preset(str(path))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"result_level_scope": "municipality"},
            "result_level_scope='municipality' must be one of",
        ),
        ({"partner_mentees": "all"}, "partner_mentees='all' must be one of"),
        (
            {"social_status_method": "threshold"},
            "social_status_method=threshold needs isbsh_unfavourable_max and isbsh_favourable_min",
        ),
        (
            {"social_status_method": "threshold", "isbsh_unfavourable_max": -0.3},
            "social_status_method=threshold needs isbsh_favourable_min",
        ),
        (
            {"isbsh_unfavourable_max": 0.5, "isbsh_favourable_min": 0.1},
            "isbsh_unfavourable_max (0.5) must not exceed isbsh_favourable_min (0.1)",
        ),
        ({"selection_procedures": ["VPR_math_9"]}, "names unknown procedures VPR_math_9"),
        (
            {"isbsh_fixed_weights": [{"feature": "low_income_share", "weight": 1, "mean": 0.2}]},
            "only one of mean and sd",
        ),
        ({"partner_high_years": 0}, "partner_high_years=0 is out of range"),
        ({"isbsh_feature_p": 0}, "isbsh_feature_p=0 is out of range"),
    ],
)
def test_bad_variant_values_name_the_parameter(overrides: dict, message: str) -> None:
    problems = parameter_problems(overrides)
    assert any(message in problem for problem in problems), problems


def test_nro_run_refuses_a_bad_preset_before_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "wh" / "nro.duckdb"
    args = ["run", "--warehouse", str(warehouse), "--landing", str(tmp_path)]
    assert main([*args, "--preset", "atlantis"]) == 2
    assert "no preset 'atlantis'" in capsys.readouterr().err
    # a preset's threshold method without its thresholds, named
    code = main([*args, "--preset", "fioko", "--var", "social_status_method=threshold"])
    assert code == 2
    assert "isbsh_unfavourable_max and isbsh_favourable_min" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists()


# --------------------------------------------------------------------------- nro calibrate-isbsh


def test_calibration_writes_the_base_years_scale_as_a_preset(tmp_path: Path) -> None:
    from nro_pipeline.lib.methods.isbsh_calibration import CalibrationError, write_calibration

    warehouse = tmp_path / "nro.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create schema intermediate")
        con.execute(
            "create table marts.isbsh_weights_fitted as select * from (values "
            "(2022, 'low_income_share', -0.1234567890123, 'ols'), (2022, 'intercept', 0.5, 'ols'),"
            "(2023, 'low_income_share', 9.0, 'ols')) t(year, feature, weight, method)"
        )
        con.execute(
            "create table intermediate.int_isbsh_features as select * from (values "
            "('A', 2022, 1, 'low_income_share', 0.2, 0.1, true),"
            "('B', 2022, 1, 'low_income_share', 0.2, 0.1, true),"
            "('A', 2022, 10, 'internet_mbps', 50.0, 0.0, false)) "
            "t(school_id, year, feature_order, feature, feature_mean, feature_sd, is_used)"
        )
        con.execute(
            "create table marts.mart_isbsh as select * from (values "
            "('A', 2022, -0.3, 1), ('B', 2022, -0.25, 1), ('C', 2022, 0.0, 3),"
            "('D', 2022, 0.4, 5), ('E', 2022, 0.7, 5)) t(school_id, year, isbsh, isbsh_quintile)"
        )
    out = tmp_path / "scale_2022.yml"
    summary = write_calibration(warehouse, 2022, out)
    assert "scale_2022" in summary
    preset = load_preset(str(out))
    found = preset.dbt_vars()
    assert found["isbsh_method"] == "fixed" and found["social_status_method"] == "threshold"
    # the largest ISBSh of quintile 1 and the smallest of quintile 5
    assert (found["isbsh_unfavourable_max"], found["isbsh_favourable_min"]) == (-0.25, 0.4)
    assert found["isbsh_fixed_weights"] == [
        {"feature": "low_income_share", "weight": -0.1234567890123, "mean": 0.2, "sd": 0.1}
    ]
    assert found["preset"] == "scale_2022"
    assert parameter_problems(found) == []
    with pytest.raises(CalibrationError, match="no ISBSh weights for 2021"):
        write_calibration(warehouse, 2021, out)
