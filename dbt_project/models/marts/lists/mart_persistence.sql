{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- School × year of the registry: persistence of low results. Low years come from
    int_school_low_years (the same definition as criterion 2 of mart_low_results). -#}
with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

low_years as (

    select * from {{ ref('int_school_low_years') }}

),

windowed as (

    select
        schools.school_id,
        schools.year,
        cast(count(low_years.year) filter (where low_years.is_low_year) as integer)
            as low_years_in_window

    from schools
    left join low_years
        on low_years.school_id = schools.school_id
        and low_years.year
        between schools.year - {{ var('persistence_window_years') }} + 1 and schools.year
    group by schools.school_id, schools.year

),

final as (

    select
        schools.school_id,
        schools.year,
        schools.school_name,
        schools.municipality,
        coalesce(this_year.is_low_year, false) as is_low_year,
        coalesce(this_year.low_procedures, 0) as low_procedures,
        schools.year - {{ var('persistence_window_years') }} + 1 as window_from_year,
        windowed.low_years_in_window,
        coalesce(this_year.consecutive_low_years, 0) as consecutive_low_years,
        this_year.streak_from_year,
        coalesce(this_year.meets_persistence, false) as persistent_low

    from schools
    inner join windowed
        on windowed.school_id = schools.school_id
        and windowed.year = schools.year
    left join low_years as this_year
        on this_year.school_id = schools.school_id
        and this_year.year = schools.year

)

select * from final
