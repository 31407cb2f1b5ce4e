"""The two dbt Python models of the social block, tested without dbt.

dbt cannot unit-test Python models, so the model files are imported as modules: the OLS fit on a
hand-worked five-school example, the fixed / fallback weights, and both `model(dbt, session)`
functions end to end on a tiny in-memory DuckDB warehouse with a stand-in for the `dbt` object.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd
import pytest

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "social"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"dbt_model_{name}", MARTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


weights_model = load("isbsh_weights_fitted")
partners_model = load("mart_partner_matches")


class FakeConfig:
    def __init__(self, meta: dict):
        self.meta = meta

    def __call__(self, **_kwargs) -> None:  # dbt.config(materialized=...)
        pass

    def get(self, key, default=None):
        return default

    def meta_get(self, key, default=None):
        return self.meta.get(key, default)


class FakeDbt:
    """What dbt-duckdb hands to `model(dbt, session)`: ref() returns a DuckDB relation."""

    def __init__(self, con: duckdb.DuckDBPyConnection, meta: dict):
        self.con = con
        self.config = FakeConfig(meta)
        self.is_incremental = False

    def ref(self, name: str):
        return self.con.query(f"select * from {name}")


# --------------------------------------------------------------------------------------------- OLS

# Five schools: z-scores of two features and a result index that is exactly
# 0.5 + 0.1 × z_parents − 0.2 × z_low_income.
Z_LOW = np.array([-0.5, -0.5, -0.5, -0.5, 2.0])
Z_PHE = np.array([-1.5, -0.5, 0.0, 0.5, 1.5])
RESULT = 0.5 + 0.1 * Z_PHE - 0.2 * Z_LOW  # 0.45, 0.55, 0.6, 0.65, 0.25


def features_frame(year: int = 2024) -> pd.DataFrame:
    rows = []
    for i, s in enumerate("ABCDE"):
        rows.append((s, year, "low_income_share", 1, Z_LOW[i], True))
        rows.append((s, year, "parents_higher_edu_share", 4, Z_PHE[i], True))
        rows.append((s, year, "internet_mbps", 10, None, False))  # no variance: left out
    return pd.DataFrame(
        rows, columns=["school_id", "year", "feature", "feature_order", "z", "is_used"]
    )


SEED = pd.DataFrame(
    {
        "feature": ["low_income_share", "parents_higher_edu_share", "internet_mbps"],
        "weight": [-0.2, 0.25, 0.05],
    }
)


def test_fit_ols_recovers_known_weights():
    intercept, w, r2 = weights_model.fit_ols(np.column_stack([Z_LOW, Z_PHE]), RESULT)
    assert intercept == pytest.approx(0.5, abs=1e-12)
    assert w == pytest.approx([-0.2, 0.1], abs=1e-12)
    assert r2 == pytest.approx(1.0, abs=1e-12)


def test_fit_ols_with_noise_matches_normal_equations():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 3))
    y = 0.3 + z @ np.array([0.1, -0.05, 0.2]) + rng.normal(scale=0.1, size=50)
    intercept, w, r2 = weights_model.fit_ols(z, y)
    x = np.column_stack([np.ones(50), z])
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    assert [intercept, *w] == pytest.approx(beta.tolist(), abs=1e-10)
    assert 0 < r2 < 1


def test_compute_ols_rows():
    ri = pd.DataFrame({"school_id": list("ABCDE"), "year": 2024, "result_index": RESULT})
    out = weights_model.compute(features_frame(), ri, SEED, "ols", None)
    got = dict(zip(out["feature"], out["weight"], strict=True))
    assert set(got) == {"low_income_share", "parents_higher_edu_share", "intercept"}
    assert got["low_income_share"] == pytest.approx(-0.2)
    assert got["parents_higher_edu_share"] == pytest.approx(0.1)
    assert got["intercept"] == pytest.approx(0.5)
    assert set(out["method"]) == {"ols"}
    assert set(out["n_schools"]) == {5}
    assert set(out["n_features"]) == {2}
    assert out["r_squared"].iloc[0] == pytest.approx(1.0)


def test_missing_z_counts_as_mean_and_school_without_index_is_left_out():
    f = features_frame()
    f.loc[(f["school_id"] == "C") & (f["feature"] == "low_income_share"), "z"] = None
    ri = pd.DataFrame(
        {"school_id": list("ABCDE"), "year": 2024, "result_index": [*RESULT[:4], None]}
    )
    out = weights_model.compute(f, ri, SEED, "ols", None)
    # A, B, C, D remain; C's z_low counts as 0. By hand: B and D give w_phe = 0.1 and
    # a − 0.5 w_low = 0.6; C gives a = 0.6, so w_low = 0; A checks: 0.6 − 0.15 = 0.45. Exact fit.
    got = dict(zip(out["feature"], out["weight"], strict=True))
    assert got["intercept"] == pytest.approx(0.6, abs=1e-12)
    assert got["low_income_share"] == pytest.approx(0.0, abs=1e-12)
    assert got["parents_higher_edu_share"] == pytest.approx(0.1, abs=1e-12)
    assert set(out["n_schools"]) == {4}
    assert set(out["method"]) == {"ols"}


def test_too_few_schools_fall_back_to_seed_weights():
    ri = pd.DataFrame({"school_id": list("ABC"), "year": 2024, "result_index": RESULT[:3]})
    out = weights_model.compute(features_frame(), ri, SEED, "ols", None)
    # three schools < 2 features + 2: the fit would be exact by construction, seed weights instead
    assert set(out["method"]) == {"fixed_fallback"}
    got = dict(zip(out["feature"], out["weight"], strict=True))
    assert got == {"low_income_share": -0.2, "parents_higher_edu_share": 0.25, "intercept": 0.0}


def test_fixed_method_uses_seed_for_used_features_only():
    ri = pd.DataFrame({"school_id": list("ABCDE"), "year": 2024, "result_index": RESULT})
    out = weights_model.compute(features_frame(), ri, SEED, "fixed", None)
    got = dict(zip(out["feature"], out["weight"], strict=True))
    assert got == {"low_income_share": -0.2, "parents_higher_edu_share": 0.25, "intercept": 0.0}
    assert set(out["method"]) == {"fixed"}
    assert out["r_squared"].isna().all()
    with pytest.raises(ValueError):
        weights_model.compute(features_frame(), ri, SEED, "lasso", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("None", None),
        ("", None),
        ("[2024]", [2024]),
        ("[2023, 2024]", [2023, 2024]),
        ("2023,2024", [2023, 2024]),
        (2024, [2024]),
        ([2022, "2023"], [2022, 2023]),
    ],
)
def test_parse_years(value, expected):
    # both Python models read the var through resolve_years, which parses all but 'run_table'
    assert weights_model.resolve_years(value, session=None) == expected
    assert partners_model.resolve_years(value, session=None) == expected


def test_weights_model_on_tiny_warehouse_only_run_years():
    con = duckdb.connect()
    f = pd.concat([features_frame(2023), features_frame(2024)])
    ri = pd.concat(
        [
            pd.DataFrame({"school_id": list("ABCDE"), "year": y, "result_index": RESULT})
            for y in (2023, 2024)
        ]
    )
    con.register("f_df", f)
    con.register("ri_df", ri)
    con.register("seed_df", SEED)
    con.execute("create table int_isbsh_features as select * from f_df")
    con.execute("create table int_school_result_index as select * from ri_df")
    con.execute("create table isbsh_weights as select * from seed_df")
    dbt = FakeDbt(con, {"run_years": "[2024]", "isbsh_method": "ols"})
    out = weights_model.model(dbt, con)
    assert set(out["year"]) == {2024}
    assert len(out) == 3
    assert str(out["year"].dtype) == "int32"


# ------------------------------------------------------------------------------ partner matches


def partner_warehouse() -> duckdb.DuckDBPyConnection:
    """Year 2024, one municipality, schools on the equator (1° of longitude ≈ 111.2 km).

    M1 (listed, OOO, q3) and M2 (listed, SOO, q2) are mentees. Candidates:
      P_NEAR   high, q3, OOO, 0.1° from M1 — but listed in 2022 (within Y-2..Y): excluded
      P_OLD    high, q3, OOO, 0.5° from M1 — listed in 2021 only (outside the window): admissible
      P_SOO    high, q2, SOO, 1° from M2
      P_MERGED high, q3, SOO, next to M1 — merged into a successor (inactive): never a partner
    """
    con = duckdb.connect()
    con.execute(
        """
        create table stg_schools as select * from (values
            ('M1', 2024, 'R', 0.0, 0.0, 'NOO,OOO', true),
            ('M2', 2024, 'R', 0.0, 10.0, 'NOO,OOO,SOO', true),
            ('P_NEAR', 2024, 'R', 0.0, 0.1, 'NOO,OOO', true),
            ('P_OLD', 2024, 'R', 0.0, 0.5, 'NOO,OOO', true),
            ('P_SOO', 2024, 'R', 0.0, 11.0, 'OOO,SOO', true),
            ('P_MERGED', 2024, 'R', 0.0, 0.01, 'NOO,OOO,SOO', false)
        ) t(school_id, year, municipality, latitude, longitude, levels, is_active)
        """
    )
    con.execute(
        """
        create table int_school_result_index as select * from (values
            ('M1', 2024, 0.1, 'low'), ('M2', 2024, 0.2, 'low'),
            ('P_NEAR', 2024, 0.9, 'high'), ('P_OLD', 2024, 0.8, 'high'),
            ('P_SOO', 2024, 1.0, 'high'), ('P_MERGED', 2024, 0.95, 'high')
        ) t(school_id, year, result_index, result_level)
        """
    )
    con.execute(
        """
        create table mart_isbsh as select * from (values
            ('M1', 2024, 0.5, 3), ('M2', 2024, 0.0, 2),
            ('P_NEAR', 2024, 0.4, 3), ('P_OLD', 2024, 0.25, 3),
            ('P_SOO', 2024, -0.5, 2), ('P_MERGED', 2024, 0.45, 3)
        ) t(school_id, year, isbsh, isbsh_quintile)
        """
    )
    con.execute(
        """
        create table mart_low_results as select * from (values
            ('M1', 2024, true), ('M2', 2024, true), ('P_NEAR', 2024, false),
            ('P_OLD', 2024, false), ('P_SOO', 2024, false), ('P_MERGED', 2024, false),
            ('P_NEAR', 2022, true), ('P_OLD', 2021, true)
        ) t(school_id, year, on_initial_list)
        """
    )
    return con


PARTNER_META = {
    "run_years": "None",
    "partners_per_school": "1",
    "partner_capacity": "3",
    "partner_exclusion_years": "3",
    "partner_distance_same_municipality_km": "25",
    "partner_distance_other_municipality_km": "250",
}


def test_partner_model_on_tiny_warehouse():
    con = partner_warehouse()
    out = partners_model.model(FakeDbt(con, PARTNER_META), con)
    rows = {r["school_id"]: r for r in out.to_dict("records")}
    assert set(rows) == {"M1", "M2"}
    m1, m2 = rows["M1"], rows["M2"]
    assert m1["partner_id"] == "P_OLD"
    assert m1["match_type"] == "horizontal"
    assert m1["distance_km"] == pytest.approx(0.5 * 111.195, rel=1e-3)
    assert m1["isbsh_gap"] == pytest.approx(0.25)  # mentee − partner
    assert m1["isbsh_quintile_gap"] == 0
    assert m1["result_gap"] == pytest.approx(0.7)  # partner − mentee
    assert pd.isna(m1["reason"])
    assert m2["partner_id"] == "P_SOO"
    assert m2["match_type"] == "horizontal"  # both offer SOO
    assert m2["isbsh_quintile_gap"] == 0
    assert out["year"].tolist() == [2024, 2024]
    assert str(out["rank"].dtype) == "int32"


def test_partner_model_exclusion_window_and_capacity_reason():
    # a 4-year window excludes P_OLD (listed in 2021) too: M1 falls back to the SOO school of
    # the lower quintile (vertical pair) ...
    con = partner_warehouse()
    meta = {**PARTNER_META, "partner_exclusion_years": "4"}
    out = partners_model.model(FakeDbt(con, meta), con)
    m1 = out[out["school_id"] == "M1"].iloc[0]
    assert m1["partner_id"] == "P_SOO"
    assert m1["match_type"] == "vertical"
    assert m1["isbsh_quintile_gap"] == 1
    # ... and with capacity 1 the shared partner goes to the nearer M2 (same number of matches,
    # smaller total distance); M1 gets the reason
    out = partners_model.model(FakeDbt(con, {**meta, "partner_capacity": "1"}), con)
    rows = {r["school_id"]: r for r in out.to_dict("records")}
    assert rows["M2"]["partner_id"] == "P_SOO"
    assert pd.isna(rows["M1"]["partner_id"])
    assert rows["M1"]["reason"] == "все подходящие партнёры заняты (ёмкость 1)"
    assert pd.isna(rows["M1"]["isbsh_gap"])


def test_partner_model_other_year_only():
    con = partner_warehouse()
    out = partners_model.model(FakeDbt(con, {**PARTNER_META, "run_years": "[2023]"}), con)
    assert out.empty
    assert list(out.columns) == list(partners_model.COLUMNS)
