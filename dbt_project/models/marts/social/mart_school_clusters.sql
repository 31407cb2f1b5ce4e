{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Cluster of every registry school (SPEC §3): crisis = low results whatever the status;
    resilient / at_risk = neutral or unfavourable status with high / medium results; stable =
    everything else, including favourable schools with high or medium results and schools without a
    result index or without an ISBSh (their status is unknown). `status_note` says why a status is
    unknown: the year's social passport has not arrived yet (no ISBSh in the year at all; a run
    after it lands completes the year), or the school has no ISBSh. -#}
with schools as (
    select school_id, year
    from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}
),

results as (
    select school_id, year, result_index, result_level
    from {{ ref('int_school_result_index') }}
    where {{ years_filter('year') }}
),

isbsh as (
    select school_id, year, isbsh, isbsh_quintile, social_status
    from {{ ref('mart_isbsh') }}
    where {{ years_filter('year') }}
),

passport_years as (
    select distinct year from isbsh
)

select
    s.school_id,
    s.year,
    r.result_index,
    r.result_level,
    i.isbsh,
    i.isbsh_quintile,
    i.social_status,
    case
        when r.result_level = 'low' then 'crisis'
        when i.social_status in ('neutral', 'unfavourable') and r.result_level = 'high'
            then 'resilient'
        when i.social_status in ('neutral', 'unfavourable') and r.result_level = 'medium'
            then 'at_risk'
        else 'stable'
    end as cluster,
    case
        when py.year is null
            then 'социальный статус неизвестен: социальный паспорт за ' || s.year
                || ' ещё не поступил'
        when i.school_id is null
            then 'социальный статус неизвестен: школы нет в социальном паспорте за ' || s.year
        when i.social_status is null
            then 'социальный статус неизвестен: ИСБШ школы не рассчитан'
    end as status_note
from schools as s
left join results as r
    on r.school_id = s.school_id and r.year = s.year
left join isbsh as i
    on i.school_id = s.school_id and i.year = s.year
left join passport_years as py
    on py.year = s.year
