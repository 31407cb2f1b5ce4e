{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- School × year of the registry: criteria 1 and 2 of the ШНОР methodology and the initial list
    with its reasons in plain Russian. Low years and criterion 2 come from int_school_low_years. -#}
{%- set persistence_years = var('persistence_years') | int -%}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

low_years as (

    select * from {{ ref('int_school_low_years') }}

),

criteria as (

    select
        schools.school_id,
        schools.year,
        schools.school_name,
        schools.municipality,
        schools.is_active,
        low_years.school_id is not null as has_results,
        coalesce(low_years.low_procedures, 0) as low_procedures,
        coalesce(low_years.low_procedure_ids, []) as low_procedure_ids,
        low_years.low_procedure_names,
        coalesce(low_years.low_procedures, 0)
            >= {{ var('criterion1_min_procedures') }} as criterion_1,
        coalesce(low_years.meets_persistence, false) as criterion_2

    from schools
    left join low_years
        on low_years.school_id = schools.school_id
        and low_years.year = schools.year

),

final as (

    select
        school_id,
        year,
        school_name,
        municipality,
        is_active,
        has_results,
        cast(low_procedures as integer) as low_procedures,
        low_procedure_ids,
        criterion_1,
        criterion_2,
        criterion_1 or criterion_2 as on_initial_list,
        nullif(concat_ws('; ',
            case when criterion_1 then
                'критерий 1: низкие результаты по ' || low_procedures || ' '
                || {{ ru_plural('low_procedures', 'процедуре', 'процедурам', 'процедурам') }}
                || ' (' || low_procedure_names || ')'
            end,
            case when criterion_2 then
                'критерий 2: низкие результаты '
                {%- if persistence_years == 1 %}
                || 'в ' || year || ' году'
                {%- else %}
                || '{{ persistence_years }} '
                || {{ ru_plural(persistence_years, 'год', 'года', 'лет') }}
                || ' подряд (' || (year - {{ persistence_years - 1 }}) || '–' || year || ')'
                {%- endif %}
            end
        ), '') as reasons

    from criteria

)

select * from final
