{#- The same class followed through VPR grades cohort_first_grade … cohort_last_grade (5 → 8):
    grade g in year Y and grade g + 1 in year Y + 1 of the same school and subject form one step.
    delta_low_share = to − from (computed from the exact counts); dynamics is positive when the
    share of «2» falls by at least dynamics_threshold, negative when it rises by at least that,
    else stable; null when either side is small-n (the step is kept, flagged small_n).
    Every year (a view): mart_cohort_dynamics keeps the run's to_years and adds `confirmed`;
    mart_vpr_objectivity reads the steps too (so the two marts do not depend on each other in a
    cycle). The from side is read from fct_procedure_results as built. -#}
with

vpr as (

    select * from {{ ref('fct_procedure_results') }}
    where exam = 'VPR'
        and grade between {{ var('cohort_first_grade') }} and {{ var('cohort_last_grade') }}

),

steps as (

    select
        to_side.school_id,
        to_side.subject,
        from_side.year as from_year,
        from_side.grade as from_grade,
        to_side.year as to_year,
        to_side.grade as to_grade,
        from_side.procedure_id as from_procedure_id,
        to_side.procedure_id as to_procedure_id,
        from_side.participants as from_participants,
        to_side.participants as to_participants,
        from_side.failed as from_failed,
        to_side.failed as to_failed,
        from_side.low_share as from_low_share,
        to_side.low_share as to_low_share,
        from_side.small_n or to_side.small_n as small_n,
        -- delta as one exact fraction: (to_failed·from_n − from_failed·to_n) / (from_n·to_n)
        cast(to_side.failed as bigint) * from_side.participants
        - cast(from_side.failed as bigint) * to_side.participants as delta_numerator,
        cast(from_side.participants as bigint) * to_side.participants as delta_denominator

    from vpr as to_side
    inner join vpr as from_side
        on from_side.school_id = to_side.school_id
        and from_side.subject = to_side.subject
        and from_side.year = to_side.year - 1
        and from_side.grade = to_side.grade - 1

),

final as (

    select
        school_id,
        subject,
        from_year,
        from_grade,
        to_year,
        to_grade,
        from_procedure_id,
        to_procedure_id,
        from_participants,
        to_participants,
        from_failed,
        to_failed,
        from_low_share,
        to_low_share,
        cast(delta_numerator as double) / nullif(delta_denominator, 0) as delta_low_share,
        delta_numerator,
        delta_denominator,
        small_n,
        case
            when small_n or delta_denominator = 0 then null
            when delta_numerator <= -delta_denominator * {{ exact_param('dynamics_threshold') }}
                then 'positive'
            when delta_numerator >= delta_denominator * {{ exact_param('dynamics_threshold') }}
                then 'negative'
            else 'stable'
        end as dynamics

    from steps

)

select * from final
