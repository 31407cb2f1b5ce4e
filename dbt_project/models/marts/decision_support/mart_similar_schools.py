"""Similar schools (docs/methodology.md, «Поддержка решений»): for each year and each school
with an ISBSh that year, the
``similar_schools_count`` nearest other schools of the same year with an ISBSh, by Euclidean
distance over the z-scores of the features that year's ISBSh used (``int_isbsh_features.is_used``
and weighed in ``isbsh_weights_fitted``), unweighted; ties by ``school_id``. The exact k-nearest
search (a k-d tree, never a cross join) is ``nro_pipeline.lib.methods.similar_schools``.

Incremental (delete+insert by year); vars come in through ``config.meta``
(``mart_similar_schools.yml``).
"""

from __future__ import annotations

from nro_pipeline.lib.methods.years_var import resolve_years, year_predicate


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="year",
    )
    from nro_pipeline.lib.methods.similar_schools import compute

    # literal meta_get calls: dbt finds the keys by parsing this file
    years = resolve_years(dbt.config.meta_get("run_years"), session)
    k = int(float(str(dbt.config.meta_get("similar_schools_count")).strip()))
    year_pred = year_predicate(years)

    features = (
        dbt.ref("int_isbsh_features")
        .filter(year_pred)
        .filter("is_used")
        .project("school_id, year, feature, feature_order, z")
        .df()
    )
    used = (
        dbt.ref("isbsh_weights_fitted")
        .filter(year_pred)
        .filter("feature <> 'intercept'")
        .project("year, feature")
        .df()
    )
    schools = (
        dbt.ref("mart_isbsh")
        .filter(year_pred)
        .filter("isbsh is not null")
        .project("school_id, year")
        .df()
    )
    return compute(features, schools, used, k)
