"""Partner (стажировочная) schools for the schools of the initial list.

The rules: docs/methodology.md, «Методика и параметры», «Школы-партнёры».

For every year Y of the run: mentees = ``mart_low_results.on_initial_list`` in Y; candidates = the
registry schools of Y with their result level (``int_school_result_index``), ISBSh quintile
(``mart_isbsh``), levels, municipality and coordinates; a candidate that was on the initial list
in any of Y − (partner_exclusion_years − 1) … Y is excluded. The optimal assignment itself
(maximum number of matches, then minimum total distance) is ``nro_pipeline.lib.methods.partner_assignment``.

One row per mentee and rank 1 … partners_per_school: matched ranks first (nearest first), then
unmatched ranks with ``partner_id`` null and the reason in Russian. A year without any ISBSh —
its social passport has not arrived yet — gets every mentee's ranks unmatched with the reason
«нет ИСБШ: социальный паспорт за <год> ещё не поступил»; a run after the passport lands completes
the year.

* ``isbsh_gap`` = mentee ISBSh − partner ISBSh (ISBSh points; ≥ 0 typically, since the partner is
  in the same or a lower quintile); ``isbsh_quintile_gap`` = mentee quintile − partner quintile
  (0 or 1).
* ``result_gap`` = partner result index − mentee result index.
* ``mentee_reason``: ``list`` (on the initial list) or ``unfavourable``.

A region's own method (docs/methodology.md, «Варианты методики и пресеты»): with
``partner_mentees: list_and_unfavourable`` the schools of social status ``unfavourable`` that are
not on the list are mentees too, in the same assignment; ``partner_pool: resilient`` takes partners
from the ``resilient`` cluster of Y only; ``partner_high_years: n`` wants result level ``high`` in
each of Y − n + 1 … Y. Under any of these, or ``result_level_scope: social_status``, result levels,
statuses and clusters are read from ``mart_school_clusters`` (where the scoped index lives) instead
of ``int_school_result_index``.

Incremental (delete+insert by year); vars come in through ``config.meta`` (``mart_partner_matches.yml``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from nro_pipeline.lib.methods.years_var import resolve_years, year_predicate

COLUMNS = {
    "school_id": "string",
    "year": "int32",
    "rank": "int32",
    "partner_id": "string",
    "match_type": "string",
    "distance_km": "Float64",
    "isbsh_gap": "Float64",
    "isbsh_quintile_gap": "Int32",
    "result_gap": "Float64",
    "reason": "string",
    "mentee_isbsh_quintile": "Int32",
    "partner_isbsh_quintile": "Int32",
    "mentee_result_index": "Float64",
    "partner_result_index": "Float64",
    "mentee_reason": "string",
}
LIST, UNFAVOURABLE = "list", "unfavourable"


def variant_from_vars(v: dict[str, Any]) -> dict[str, Any]:
    """The region's own partner rules from the rendered vars; the federal method by default."""

    def text(key: str, default: str) -> str:
        value = v.get(key)
        return default if value in (None, "", "None") else str(value).strip()

    return {
        "scope": text("result_level_scope", "region"),
        "pool": text("partner_pool", "high_results"),
        "high_years": int(float(text("partner_high_years", "1"))),
        "mentees": text("partner_mentees", "list"),
    }


def reads_clusters(variant: dict[str, Any]) -> bool:
    """Whether the rules need mart_school_clusters (scoped levels, clusters, statuses)."""
    return (
        variant["scope"] != "region"
        or variant["pool"] != "high_results"
        or variant["mentees"] != "list"
    )


def stably_high(results: pd.DataFrame, year: int, years: int) -> set[str]:
    """The schools whose result level is high in each of year − years + 1 … year (a year without
    a result level fails it)."""
    window = results[
        (results["year"] > year - years)
        & (results["year"] <= year)
        & (results["result_level"] == "high")
    ]
    counts = window.groupby("school_id")["year"].nunique()
    return set(counts[counts == years].index)


def params_from_vars(v: dict[str, Any]):
    """PartnerParams from the rendered vars (strings or numbers)."""
    from nro_pipeline.lib.methods.partner_assignment import PartnerParams

    def num(key: str, cast: type) -> Any:
        return cast(float(str(v[key]).strip()))

    variant = variant_from_vars(v)

    return PartnerParams(
        partners_per_school=num("partners_per_school", int),
        partner_capacity=num("partner_capacity", int),
        same_municipality_km=num("partner_distance_same_municipality_km", float),
        other_municipality_km=num("partner_distance_other_municipality_km", float),
        exclusion_years=num("partner_exclusion_years", int),
        high_years=variant["high_years"],
        resilient_only=variant["pool"] == "resilient",
    )


def matches_for_year(
    year: int,
    schools: pd.DataFrame,
    listed_years: pd.DataFrame,
    params,
    variant: dict[str, Any] | None = None,
    results: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """schools: one row per registry school of ``year`` with school_id, municipality, latitude,
    longitude, levels, is_active, result_index, result_level, isbsh, isbsh_quintile,
    on_initial_list (and social_status, cluster under a region's own rules);
    listed_years: school_id, year of every (school, year) on the initial list;
    results: school_id, year, result_level of the earlier years too (for partner_high_years)."""
    from nro_pipeline.lib.methods.partner_assignment import assign_partners

    variant = variant or variant_from_vars({})
    window = listed_years[
        (listed_years["year"] <= year) & (listed_years["year"] > year - params.exclusion_years)
    ]
    recently = set(window["school_id"])
    eligible = pd.Series(True, index=schools.index)
    if variant["pool"] == "resilient":
        eligible &= (schools["cluster"] == "resilient").fillna(False).astype(bool)
    if variant["high_years"] > 1 and results is not None:
        eligible &= schools["school_id"].isin(stably_high(results, year, variant["high_years"]))
    listed = schools["on_initial_list"].fillna(False).astype(bool)
    reason = pd.Series(pd.NA, index=schools.index, dtype="string").mask(listed, LIST)
    if variant["mentees"] == "list_and_unfavourable":
        unfavourable = (schools["social_status"] == UNFAVOURABLE).fillna(False).astype(bool)
        reason = reason.mask(~listed & unfavourable, UNFAVOURABLE)
    records = schools.assign(
        recently_listed=schools["school_id"].isin(recently),
        partner_eligible=eligible.fillna(False).astype(bool),
        mentee_reason=reason,
    ).to_dict("records")
    mentees = [r for r in records if not pd.isna(r["mentee_reason"])]
    # a school merged into a successor (is_active false) is never a partner
    candidates = [r for r in records if r.get("is_active") is not False]
    result = assign_partners(mentees, candidates, params)
    out = pd.DataFrame(
        [
            {
                "school_id": m.school_id,
                "year": year,
                "rank": m.rank,
                "partner_id": m.partner_id,
                "match_type": m.match_type,
                "distance_km": None if m.distance_km is None else round(m.distance_km, 3),
                "reason": m.reason,
            }
            for m in result.matches
        ],
        columns=["school_id", "year", "rank", "partner_id", "match_type", "distance_km", "reason"],
    )
    attrs = schools.set_index("school_id")[["isbsh", "isbsh_quintile", "result_index"]]
    out = out.join(attrs.add_prefix("mentee_"), on="school_id").join(
        attrs.add_prefix("partner_"), on="partner_id"
    )
    has_partner = out["partner_id"].notna()
    out["isbsh_gap"] = (out["mentee_isbsh"] - out["partner_isbsh"]).where(has_partner)
    out["isbsh_quintile_gap"] = (
        out["mentee_isbsh_quintile"] - out["partner_isbsh_quintile"]
    ).where(has_partner)
    out["result_gap"] = (out["partner_result_index"] - out["mentee_result_index"]).where(
        has_partner
    )
    reasons = dict(zip(schools["school_id"], reason, strict=True))
    out["mentee_reason"] = out["school_id"].map(reasons)
    return out


def waiting_for_passport(matches: pd.DataFrame, year: int) -> pd.DataFrame:
    """The unmatched ranks of a year without any ISBSh say that its passport has not arrived."""
    reason = f"нет ИСБШ: социальный паспорт за {year} ещё не поступил"
    return matches.assign(reason=matches["reason"].where(matches["partner_id"].notna(), reason))


def compute(
    schools: pd.DataFrame,
    listed_years: pd.DataFrame,
    params,
    years: list[int] | None,
    passport_years: set[int] | None = None,
    variant: dict[str, Any] | None = None,
    results: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``passport_years``: the years with an ISBSh row (a passport); None: not known, said nowhere.
    ``variant`` and ``results``: see matches_for_year."""
    all_years = sorted(int(y) for y in schools["year"].dropna().unique())
    run_years = all_years if years is None else [y for y in all_years if y in set(years)]
    parts = []
    for y in run_years:
        of_year = schools[schools["year"] == y]
        matches = matches_for_year(y, of_year, listed_years, params, variant, results)
        if passport_years is not None and y not in passport_years:
            matches = waiting_for_passport(matches, y)
        parts.append(matches)
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    return out[list(COLUMNS)].astype(COLUMNS)


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="year",
        on_schema_change="append_new_columns",
    )
    # literal meta_get calls: dbt finds the keys by parsing this file
    years = resolve_years(dbt.config.meta_get("run_years"), session)
    rendered = {
        "partners_per_school": dbt.config.meta_get("partners_per_school"),
        "partner_capacity": dbt.config.meta_get("partner_capacity"),
        "partner_distance_same_municipality_km": dbt.config.meta_get(
            "partner_distance_same_municipality_km"
        ),
        "partner_distance_other_municipality_km": dbt.config.meta_get(
            "partner_distance_other_municipality_km"
        ),
        "partner_exclusion_years": dbt.config.meta_get("partner_exclusion_years"),
        "result_level_scope": dbt.config.meta_get("result_level_scope"),
        "partner_pool": dbt.config.meta_get("partner_pool"),
        "partner_high_years": dbt.config.meta_get("partner_high_years"),
        "partner_mentees": dbt.config.meta_get("partner_mentees"),
    }
    params = params_from_vars(rendered)
    variant = variant_from_vars(rendered)
    year_pred = year_predicate(years)
    # partner_high_years looks back: the result levels of every year up to the run's last
    last_year = f"year <= {max(years)}" if years else "true"

    schools = (
        dbt.ref("stg_schools")
        .filter(year_pred)
        .project("school_id, year, municipality, latitude, longitude, levels, is_active")
        .df()
    )
    if reads_clusters(variant):
        every_year = (
            dbt.ref("mart_school_clusters")
            .filter(last_year)
            .project("school_id, year, result_index, result_level, social_status, cluster")
        )
    else:
        every_year = (
            dbt.ref("int_school_result_index")
            .filter(last_year)
            .project("school_id, year, result_index, result_level")
        )
    results = every_year.filter(year_pred).df()
    history = (
        every_year.project("school_id, year, result_level").df()
        if variant["high_years"] > 1
        else None
    )
    isbsh = (
        dbt.ref("mart_isbsh")
        .filter(year_pred)
        .project("school_id, year, isbsh, isbsh_quintile")
        .df()
    )
    low = dbt.ref("mart_low_results").project("school_id, year, on_initial_list")
    # every year (earlier ones too): a partner must not have been listed in Y-2 … Y
    listed_years = low.filter("on_initial_list").project("school_id, year").df()
    current = low.filter(year_pred).df()

    frame = (
        schools.merge(results, on=["school_id", "year"], how="left")
        .merge(isbsh, on=["school_id", "year"], how="left")
        .merge(current, on=["school_id", "year"], how="left")
    )
    frame["on_initial_list"] = frame["on_initial_list"].fillna(False).astype(bool)
    frame["is_active"] = frame["is_active"].fillna(True).astype(bool)
    passport_years = {int(y) for y in isbsh["year"].dropna().unique()}
    return compute(frame, listed_years, params, years, passport_years, variant, history)
