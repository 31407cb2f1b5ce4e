{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Risk profile of every registry school (SPEC §3). A flag is null when the data it needs is
    missing (no passport, zero staff, …); `remote` is true for a rural school even without the
    distance. Thresholds are vars risk_vacancy_rate, risk_internet_mbps, risk_computers_per_100,
    risk_remote_km. -#}
with schools as (
    select school_id, year, locality_type
    from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}
),

passport as (
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
    from {{ ref('stg_social_passport') }}
    where {{ years_filter('year') }}
),

isbsh as (
    select school_id, year, isbsh_quintile
    from {{ ref('mart_isbsh') }}
    where {{ years_filter('year') }}
),

flags as (
    select
        s.school_id,
        s.year,
        p.school_id is not null as has_passport,
        cast(p.vacancy_rate as double) as vacancy_rate,
        cast(p.internet_mbps as double) as internet_mbps,
        cast(p.computers_per_100 as double) as computers_per_100,
        cast(p.distance_to_center_km as double) as distance_to_center_km,
        s.locality_type,
        i.isbsh_quintile,
        p.teacher_shortage,
        p.slow_internet or p.few_computers as weak_infrastructure,
        p.far_from_center or (s.locality_type = 'rural') as remote,
        i.isbsh_quintile = 1 as complex_contingent
    from schools as s
    left join passport as p
        on p.school_id = s.school_id and p.year = s.year
    left join isbsh as i
        on i.school_id = s.school_id and i.year = s.year
)

select
    *,
    cast(
        coalesce(teacher_shortage, false)::integer
        + coalesce(weak_infrastructure, false)::integer
        + coalesce(remote, false)::integer
        + coalesce(complex_contingent, false)::integer
        as integer
    ) as risk_count
from flags
