{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='to_year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('to_year') }}"
    )
}}

{#- VPR cohort dynamics (steps from int_vpr_cohort_steps) for to_year in var `years`, with
    `confirmed` (docs/methodology.md, «Поддержка решений»): false for a step ending in a year
    in which the school is
    objectivity_doubtful (mart_vpr_objectivity), true otherwise, null where dynamics is null. -#}
with

steps as (

    select * from {{ ref('int_vpr_cohort_steps') }}
    where {{ years_filter('to_year') }}

),

objectivity as (

    select
        school_id,
        year,
        objectivity_doubtful
    from {{ ref('mart_vpr_objectivity') }}
    where {{ years_filter('year') }}

),

final as (

    select
        steps.school_id,
        steps.subject,
        steps.from_year,
        steps.from_grade,
        steps.to_year,
        steps.to_grade,
        steps.from_procedure_id,
        steps.to_procedure_id,
        steps.from_participants,
        steps.to_participants,
        steps.from_failed,
        steps.to_failed,
        steps.from_low_share,
        steps.to_low_share,
        steps.delta_low_share,
        steps.small_n,
        steps.dynamics,
        case
            when steps.dynamics is not null
                then not coalesce(objectivity.objectivity_doubtful, false)
        end as confirmed

    from steps
    left join objectivity
        on objectivity.school_id = steps.school_id
        and objectivity.year = steps.to_year

)

select * from final
