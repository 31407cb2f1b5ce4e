"""The final list of the year, the region's decisions and the partners of the schools taking part.

The rules: docs/methodology.md, «Решения региона»; the logic is
``nro_pipeline.lib.methods.support_decisions`` (this file only reads the frames it needs).

One row per school × year on the initial or the final list. Incremental (delete+insert by year);
vars come in through ``config.meta`` (``mart_support_list.yml``).
"""

from __future__ import annotations

import pandas as pd

from nro_pipeline.lib.methods.partner_schools import PartnerParams
from nro_pipeline.lib.methods.support_decisions import COLUMNS, support_list
from nro_pipeline.lib.methods.years_var import resolve_years, year_predicate


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="year",
        on_schema_change="append_new_columns",
    )
    # literal meta_get calls: dbt finds the keys by parsing this file
    years = resolve_years(dbt.config.meta_get("run_years"), session)
    params = PartnerParams(
        partner_capacity=int(float(str(dbt.config.meta_get("partner_capacity")))),
        exclusion_years=int(float(str(dbt.config.meta_get("partner_exclusion_years")))),
    )
    year_pred = year_predicate(years)
    schools = dbt.ref("stg_schools").filter(year_pred).project("school_id, year, levels").df()
    results = (
        dbt.ref("int_school_result_index")
        .filter(year_pred)
        .project("school_id, year, result_level")
        .df()
    )
    isbsh = dbt.ref("mart_isbsh").filter(year_pred).project("school_id, year, isbsh_quintile").df()
    low = dbt.ref("mart_low_results").project("school_id, year, on_initial_list")
    # every year (earlier ones too): a partner must not have been listed in Y-2 … Y
    listed_years = low.filter("on_initial_list").project("school_id, year").df()
    current = low.filter(year_pred).df()
    suggested = (
        dbt.ref("mart_partner_matches")
        .filter(year_pred)
        .filter("rank = 1 and partner_id is not null")
        .project("school_id, year, partner_id")
        .df()
    )
    register = (
        dbt.ref("stg_support_register")
        .filter(year_pred)
        .project("school_id, year, decision, reason, decided_by, partner_id, agreement_date")
        .df()
    )
    frame = (
        schools.merge(results, on=["school_id", "year"], how="left")
        .merge(isbsh, on=["school_id", "year"], how="left")
        .merge(current, on=["school_id", "year"], how="left")
    )
    frame["on_initial_list"] = frame["on_initial_list"].fillna(False).astype(bool)
    run_years = sorted(int(y) for y in frame["year"].dropna().unique())
    support = (
        support_list(frame, register, suggested, listed_years, params, run_years)
        if run_years
        else pd.DataFrame(columns=list(COLUMNS)).astype(COLUMNS)
    )
    # pandas knows no date without a time: the agreement date is cast back to a DuckDB date
    columns = ", ".join(
        "cast(agreement_date as date) as agreement_date" if c == "agreement_date" else c
        for c in COLUMNS
    )
    return session.from_df(support).project(columns)
