{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Risk profile of every registry school (docs/methodology.md, «Методика и параметры»).
    A flag is null when the data it needs is
    missing (no passport, zero staff, …); `remote` is true for a rural school even without the
    distance. Thresholds are vars risk_vacancy_rate, risk_internet_mbps, risk_computers_per_100,
    risk_remote_km. -#}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

social_passport as (

    select * from {{ ref('stg_social_passport') }}
    where {{ years_filter('year') }}

),

school_isbsh as (

    select * from {{ ref('mart_isbsh') }}
    where {{ years_filter('year') }}

),

passport_measures as (

    select
        school_id,
        year,
        teacher_vacancies / nullif(teachers_total + teacher_vacancies, 0) as vacancy_rate,
        internet_mbps,
        100.0 * computers / nullif(students_total, 0) as computers_per_100,
        distance_to_center_km,
        -- the thresholds compared exactly, in decimals (no binary floating point at the boundary)
        case
            when teachers_total + teacher_vacancies > 0
                then teacher_vacancies
                    > {{ exact_param('risk_vacancy_rate') }} * (teachers_total + teacher_vacancies)
        end as teacher_shortage,
        case
            when students_total > 0
                then 100 * computers < {{ exact_param('risk_computers_per_100') }} * students_total
        end as few_computers,
        internet_mbps < {{ exact_param('risk_internet_mbps') }} as slow_internet,
        distance_to_center_km > {{ exact_param('risk_remote_km') }} as far_from_center

    from social_passport

),

flags as (

    select
        schools.school_id,
        schools.year,
        passport_measures.school_id is not null as has_passport,
        cast(passport_measures.vacancy_rate as double) as vacancy_rate,
        cast(passport_measures.internet_mbps as double) as internet_mbps,
        cast(passport_measures.computers_per_100 as double) as computers_per_100,
        cast(passport_measures.distance_to_center_km as double) as distance_to_center_km,
        schools.locality_type,
        school_isbsh.isbsh_quintile,
        passport_measures.teacher_shortage,
        passport_measures.slow_internet or passport_measures.few_computers as weak_infrastructure,
        passport_measures.far_from_center or (schools.locality_type = 'rural') as remote,
        school_isbsh.isbsh_quintile = 1 as complex_contingent

    from schools
    left join passport_measures
        on passport_measures.school_id = schools.school_id
        and passport_measures.year = schools.year
    left join school_isbsh
        on school_isbsh.school_id = schools.school_id
        and school_isbsh.year = schools.year

),

final as (

    select
        school_id,
        year,
        has_passport,
        vacancy_rate,
        internet_mbps,
        computers_per_100,
        distance_to_center_km,
        locality_type,
        isbsh_quintile,
        teacher_shortage,
        weak_infrastructure,
        remote,
        complex_contingent,
        cast(
            cast(coalesce(teacher_shortage, false) as integer)
            + cast(coalesce(weak_infrastructure, false) as integer)
            + cast(coalesce(remote, false) as integer)
            + cast(coalesce(complex_contingent, false) as integer)
            as integer
        ) as risk_count

    from flags

)

select * from final
