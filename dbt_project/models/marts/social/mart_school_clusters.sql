{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Cluster of every registry school (docs/methodology.md, «Методика и параметры»):
    crisis = low results whatever the status;
    resilient / at_risk = neutral or unfavourable status with high / medium results; stable =
    everything else, including favourable schools with high or medium results and schools without a
    result index or without an ISBSh (their status is unknown). `status_note` says why a status is
    unknown: the year's social passport has not arrived yet (no ISBSh in the year at all; a run
    after it lands completes the year), or the school has no ISBSh.
    result_index / result_level: region-wide (int_school_result_index), or with
    result_level_scope = social_status the percent_rank of the success share among the year's
    schools of the same social status, so that a school without a status has none
    (docs/methodology.md, «Варианты методики и пресеты»). The partners read them from here. -#}

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

scoped_results as (

    select
        schools.school_id,
        schools.year,
        {%- if var('result_level_scope') == 'social_status' %}
        case
            when
                school_isbsh.social_status is not null
                and school_result_index.success_share is not null
                then percent_rank() over (
                        partition by
                            schools.year,
                            school_isbsh.social_status,
                            school_isbsh.social_status is null
                            or school_result_index.success_share is null
                        order by school_result_index.success_share
                    )
        end as result_index
        {%- else %}
        school_result_index.result_index,
        school_result_index.result_level
        {%- endif %}

    from schools
    left join school_result_index
        on school_result_index.school_id = schools.school_id
        and school_result_index.year = schools.year
    {%- if var('result_level_scope') == 'social_status' %}
    left join school_isbsh
        on school_isbsh.school_id = schools.school_id
        and school_isbsh.year = schools.year
    {%- endif %}

),

school_results as (

    select
        school_id,
        year,
        cast(result_index as double) as result_index,
        {%- if var('result_level_scope') == 'social_status' %}
        {{ result_level('result_index') }} as result_level
        {%- else %}
        result_level
        {%- endif %}

    from scoped_results

),

final as (

    select
        schools.school_id,
        schools.year,
        school_results.result_index,
        school_results.result_level,
        school_isbsh.isbsh,
        school_isbsh.isbsh_quintile,
        school_isbsh.social_status,
        case
            when school_results.result_level = 'low' then 'crisis'
            when
                school_isbsh.social_status in ('neutral', 'unfavourable')
                and school_results.result_level = 'high'
                then 'resilient'
            when
                school_isbsh.social_status in ('neutral', 'unfavourable')
                and school_results.result_level = 'medium'
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
    left join school_results
        on school_results.school_id = schools.school_id
        and school_results.year = schools.year
    left join school_isbsh
        on school_isbsh.school_id = schools.school_id
        and school_isbsh.year = schools.year
    left join passport_years
        on passport_years.year = schools.year

)

select * from final
