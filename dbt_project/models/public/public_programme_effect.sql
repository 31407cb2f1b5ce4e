{{
    config(
        materialized='view',
        schema='public',
        alias='programme_effect'
    )
}}

{#- The public edition of mart_programme_effect (docs/methodology.md, «Публичная версия»): an
    effect averaged over fewer than suppress_below schools is not shown — with so few schools a
    mean says little and comes close to one school's results. -#}

with

effect as (

    select
        entry_year,
        horizon,
        "group",
        schools,
        mean_change,
        mean_comparison_change,
        effect,
        effect_ci_lower,
        effect_ci_upper,
        verdict,
        {{ public_small_group('schools') }} as hidden
    from {{ ref('mart_programme_effect') }}

)

select
    entry_year,
    horizon,
    "group",
    {{ code_label('group', '"group"') }} as group_ru,
    case when not hidden then schools end as schools,
    hidden as schools_suppressed,
    case when not hidden then mean_change end as mean_change,
    hidden as mean_change_suppressed,
    case when not hidden then mean_comparison_change end as mean_comparison_change,
    hidden as mean_comparison_change_suppressed,
    case when not hidden then effect end as effect,
    hidden as effect_suppressed,
    case when not hidden then effect_ci_lower end as effect_ci_lower,
    hidden as effect_ci_lower_suppressed,
    case when not hidden then effect_ci_upper end as effect_ci_upper,
    hidden as effect_ci_upper_suppressed,
    case when not hidden then verdict end as verdict,
    case when not hidden then {{ code_label('verdict', 'verdict') }} end as verdict_ru
from effect
