{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
) }}
{#- Cluster of every registry school (SPEC §3): crisis = low results whatever the status;
    resilient / at_risk = neutral or unfavourable status with high / medium results; stable =
    everything else, including favourable schools with high or medium results and schools without a
    result index or without an ISBSh (their status is unknown). -#}
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
    end as cluster
from schools as s
left join results as r
    on r.school_id = s.school_id and r.year = s.year
left join isbsh as i
    on i.school_id = s.school_id and i.year = s.year
