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

with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

school_result_index as (

    select * from {{ ref('int_school_result_index') }}
    where {{ years_filter('year') }}

),

school_isbsh as (

    select * from {{ ref('mart_isbsh') }}
    where {{ years_filter('year') }}

),

passport_years as (

    select distinct year from school_isbsh

),

final as (

    select
        schools.school_id,
        schools.year,
        school_result_index.result_index,
        school_result_index.result_level,
        school_isbsh.isbsh,
        school_isbsh.isbsh_quintile,
        school_isbsh.social_status,
        case
            when school_result_index.result_level = 'low' then 'crisis'
            when
                school_isbsh.social_status in ('neutral', 'unfavourable')
                and school_result_index.result_level = 'high'
                then 'resilient'
            when
                school_isbsh.social_status in ('neutral', 'unfavourable')
                and school_result_index.result_level = 'medium'
                then 'at_risk'
            else 'stable'
        end as cluster,
        case
            when passport_years.year is null
                then 'социальный статус неизвестен: социальный паспорт за ' || schools.year
                    || ' ещё не поступил'
            when school_isbsh.school_id is null
                then 'социальный статус неизвестен: школы нет в социальном паспорте за '
                    || schools.year
            when school_isbsh.social_status is null
                then 'социальный статус неизвестен: ИСБШ школы не рассчитан'
        end as status_note

    from schools
    left join school_result_index
        on school_result_index.school_id = schools.school_id
        and school_result_index.year = schools.year
    left join school_isbsh
        on school_isbsh.school_id = schools.school_id
        and school_isbsh.year = schools.year
    left join passport_years
        on passport_years.year = schools.year

)

select * from final
