"""ISBSh weights per year: OLS with intercept of the result index on the z-scores.

The rule: docs/methodology.md, «Методика и параметры», «ИСБШ».

For every year of the run: the schools that have both a result index and a passport; the design
matrix is [1, z_1 … z_k] over the features used that year (a feature without variance is left out;
a missing value counts as the year's mean, z = 0); the weights are numpy ``lstsq`` coefficients
(minimum-norm if features are collinear). Rows: one per used feature plus the ``intercept`` row;
``r_squared`` and ``n_schools`` are repeated on every row of the year.

``isbsh_method: fixed`` — the weights of the seed ``isbsh_weights`` for the features used that
year (intercept 0); a preset may give its own rows instead (var ``isbsh_fixed_weights``, e.g.
written by ``nro calibrate-isbsh``), the rows ``int_isbsh_features`` standardises with too. With ``ols`` but fewer schools than features + 2 (the fit would be exact or
under-determined) the seed weights are used too and ``method`` says ``fixed_fallback``.

``isbsh_features: significant`` (docs/methodology.md, «Варианты методики и пресеты») — the OLS
is fitted on every feature first; the features whose two-sided p-value of the t statistic
(coefficient / its standard error, n − k − 1 degrees of freedom) is below ``isbsh_feature_p`` are
kept (the single smallest p when none is) and the fit is repeated on them. The rows are the kept
features (``p_value`` from the first fit); ``dropped_features`` names the others with their p.

Incremental (delete+insert by year): only the run's years (var ``years``) are computed.
Vars come in through ``config.meta`` (rendered from ``var()`` in ``isbsh_weights_fitted.yml``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from nro_pipeline.lib.methods.years_var import resolve_years, year_predicate

INTERCEPT = "intercept"
COLUMNS = [
    "year",
    "feature",
    "weight",
    "method",
    "r_squared",
    "n_schools",
    "n_features",
    "p_value",
    "dropped_features",
]


def fit_ols(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """OLS with intercept: returns (intercept, weights, r_squared)."""
    x = np.column_stack([np.ones(len(y)), z])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = float(1 - (resid @ resid) / ss_tot) if ss_tot > 0 else float("nan")
    return float(coef[0]), coef[1:], r2


def ols_p_values(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Two-sided p-values of the features' OLS coefficients (intercept fitted, not tested):
    t = coefficient / standard error with n − k − 1 degrees of freedom. A coefficient whose
    standard error is zero (an exact fit) counts as significant when it is not zero itself."""
    n, k = z.shape
    x = np.column_stack([np.ones(n), z])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    dof = n - k - 1
    sigma2 = float(resid @ resid) / dof
    se = np.sqrt(np.clip(np.diag(sigma2 * np.linalg.pinv(x.T @ x)), 0.0, None))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(coef[1:]) / se
    # imported here: only `isbsh_features: significant` needs it, and scipy.stats takes ~0.6 s
    from scipy import stats

    p = 2.0 * stats.t.sf(t, dof)
    return np.where(np.isnan(p), 1.0, p)


def significant_features(names: list[str], p: np.ndarray, p_max: float) -> list[str]:
    """The features with p below p_max, in their order; the single smallest p when none is."""
    kept = [f for f, pf in zip(names, p, strict=True) if pf < p_max]
    return kept or [names[int(np.argmin(p))]]


def weights_for_year(
    year: int,
    features: pd.DataFrame,
    result_index: pd.DataFrame,
    seed: pd.DataFrame,
    method: str,
    selection: str = "all",
    p_max: float = 0.05,
) -> pd.DataFrame:
    """features: school_id, feature, feature_order, z, is_used (one year);
    result_index: school_id, result_index (one year, non-null); seed: feature, weight;
    selection: all | significant (isbsh_features), p_max: isbsh_feature_p."""
    used = (
        features.loc[features["is_used"].astype(bool), ["feature", "feature_order"]]
        .drop_duplicates()
        .sort_values("feature_order")
    )
    names = used["feature"].tolist()
    n_passport = features["school_id"].nunique()

    def fixed(label: str) -> pd.DataFrame:
        w = seed.set_index("feature")["weight"].astype(float)
        rows = [
            (year, f, float(w[f]), label, None, n_passport, len(names), None, None)
            for f in names
            if f in w.index
        ]
        rows.append((year, INTERCEPT, 0.0, label, None, n_passport, len(names), None, None))
        return pd.DataFrame(rows, columns=COLUMNS)

    if method == "fixed":
        return fixed("fixed")
    if method != "ols":
        raise ValueError(f"isbsh_method must be 'ols' or 'fixed', got {method!r}")

    wide = (
        features[features["feature"].isin(names)]
        .pivot_table(
            index="school_id", columns="feature", values="z", aggfunc="first", dropna=False
        )
        .reindex(columns=names)
    )
    both = wide.join(result_index.set_index("school_id")["result_index"].dropna(), how="inner")
    if len(both) < len(names) + 2 or not names:
        return fixed("fixed_fallback")
    z = both[names].astype(float).fillna(0.0).to_numpy()
    y = both["result_index"].astype(float).to_numpy()
    p_values: dict[str, float | None] = dict.fromkeys(names)
    dropped = None
    if selection == "significant":
        p = ols_p_values(z, y)
        p_values = {f: float(pf) for f, pf in zip(names, p, strict=True)}
        kept = significant_features(names, p, p_max)
        dropped = ", ".join(f"{f} (p = {p_values[f]:.3g})" for f in names if f not in kept)
        z = z[:, [names.index(f) for f in kept]]
        names = kept
    intercept, w, r2 = fit_ols(z, y)
    rows = [
        (year, f, float(wi), "ols", r2, len(both), len(names), p_values[f], dropped)
        for f, wi in zip(names, w, strict=True)
    ]
    rows.append((year, INTERCEPT, intercept, "ols", r2, len(both), len(names), None, dropped))
    return pd.DataFrame(rows, columns=COLUMNS)


def compute(
    features: pd.DataFrame,
    result_index: pd.DataFrame,
    seed: pd.DataFrame,
    method: str,
    years: list[int] | None,
    selection: str = "all",
    p_max: float = 0.05,
) -> pd.DataFrame:
    all_years = sorted(int(y) for y in features["year"].dropna().unique())
    run_years = all_years if years is None else [y for y in all_years if y in set(years)]
    parts = [
        weights_for_year(
            y,
            features[features["year"] == y],
            result_index[(result_index["year"] == y) & result_index["result_index"].notna()],
            seed,
            method,
            selection,
            p_max,
        )
        for y in run_years
    ]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return out.astype(
        {
            "year": "int32",
            "feature": "string",
            "weight": "float64",
            "method": "string",
            "r_squared": "float64",
            "n_schools": "int32",
            "n_features": "int32",
            "p_value": "float64",
            "dropped_features": "string",
        }
    )


def given_weights(rendered: object, seed: pd.DataFrame) -> pd.DataFrame:
    """The fixed weights: a preset's rows (var isbsh_fixed_weights, rendered as JSON) or the seed."""
    rows = json.loads(str(rendered)) if rendered not in (None, "", "None", "null") else None
    if not rows:
        return seed
    return pd.DataFrame(rows).reindex(columns=["feature", "weight"])


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="year",
        on_schema_change="append_new_columns",
    )
    # plain meta_get calls: dbt finds the keys by parsing this file (not inside `or` expressions)
    years = resolve_years(dbt.config.meta_get("run_years"), session)
    method_var = dbt.config.meta_get("isbsh_method")
    method = str(method_var if method_var is not None else "ols").strip().lower()
    selection_var = dbt.config.meta_get("isbsh_features")
    selection = str(selection_var if selection_var is not None else "all").strip().lower()
    p_var = dbt.config.meta_get("isbsh_feature_p")
    p_max = float(str(p_var if p_var is not None else 0.05).strip())
    given_var = dbt.config.meta_get("isbsh_fixed_weights")

    year_pred = year_predicate(years)
    features = (
        dbt.ref("int_isbsh_features")
        .filter(year_pred)
        .project("school_id, year, feature, feature_order, z, is_used")
        .df()
    )
    result_index = (
        dbt.ref("int_school_result_index")
        .filter(year_pred)
        .project("school_id, year, result_index")
        .df()
    )
    seed = given_weights(given_var, dbt.ref("isbsh_weights").project("feature, weight").df())
    return compute(features, result_index, seed, method, years, selection, p_max)
