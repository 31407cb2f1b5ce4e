{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- School × year × procedure (all procedures of seed `procedures`, selection or not):
    low_share = failed / participants; small_n when participants < min_participants (never low);
    is_low when low_share >= low_share_threshold (compared exactly, in decimals). -#}
with

vpr as (

    select * from {{ ref('int_vpr_procedure_results') }}
    where {{ years_filter('year') }}

),

gia as (

    select * from {{ ref('int_gia_procedure_results') }}
    where {{ years_filter('year') }}

),

procedures as (

    select * from {{ ref('procedures') }}

),

procedure_counts as (

    select * from vpr
    union all by name
    select * from gia

),

joined as (

    select
        procedure_counts.school_id,
        procedure_counts.year,
        procedures.procedure_id,
        procedures.procedure_name,
        procedures.exam,
        procedures.subject,
        procedures.grade,
        procedures.in_selection,
        procedure_counts.participants,
        procedure_counts.failed,
        procedure_counts.excluded_participants

    from procedure_counts
    inner join procedures
        on procedures.exam = procedure_counts.exam
        and procedures.subject = procedure_counts.subject
        and procedures.grade is not distinct from procedure_counts.grade

),

final as (

    select
        school_id,
        year,
        procedure_id,
        procedure_name,
        exam,
        subject,
        grade,
        in_selection,
        participants,
        failed,
        excluded_participants,
        cast(failed as double) / nullif(participants, 0) as low_share,
        coalesce(participants < {{ var('min_participants') }}, true) as small_n,
        coalesce(
            participants >= {{ var('min_participants') }}
            and participants > 0
            and failed >= participants * {{ exact_param('low_share_threshold') }},
            false
        ) as is_low

    from joined

)

select * from final
