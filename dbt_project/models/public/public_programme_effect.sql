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
    {%- for figure in ['schools', 'mean_change', 'mean_comparison_change', 'effect',
                       'effect_ci_lower', 'effect_ci_upper'] %}
    case when not hidden then {{ figure }} end as {{ figure }},
    hidden as {{ figure }}_suppressed,
    {%- endfor %}
    case when not hidden then verdict end as verdict,
    case when not hidden then {{ code_label('verdict', 'verdict') }} end as verdict_ru
from effect
