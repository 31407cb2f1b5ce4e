{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- VPR objectivity signals (docs/methodology.md, «Поддержка решений»), per registry
    school × year (VPR math and rus):
    high_marks_excess    the school's pooled share of marks 4 and 5 over its VPR rows of the year
                         that are not small-n, minus the same pooled share over all schools' such
                         rows, >= objectivity_excess;
    not_confirmed_by_oge for math or rus: OGE low_share in Y (not small-n) minus the VPR low_share of
                         the same subject in the last VPR grade of seed `procedures` (8) in Y − 1
                         (not small-n) >= objectivity_gap;
    sharp_improvement    a cohort step (int_vpr_cohort_steps) ending in Y, not small-n, has
                         delta_low_share <= −objectivity_jump.
    Every comparison is exact (cross-multiplied counts against a decimal parameter). A school
    without the data for a signal does not have it. -#}
with

schools as (

    select
        school_id,
        year,
        school_name,
        municipality
    from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

procedure_results as (

    select * from {{ ref('fct_procedure_results') }}

),

vpr_marks as (

    select * from {{ ref('stg_vpr_results') }}
    where {{ years_filter('year') }}

),

cohort_steps as (

    select * from {{ ref('int_vpr_cohort_steps') }}
    where {{ years_filter('to_year') }}

),

last_vpr_grade as (

    select max(grade) as grade
    from {{ ref('procedures') }}
    where exam = 'VPR'

),

-- VPR rows of the run's years that are not small-n, with their marks 4 and 5
vpr_rows as (

    select
        procedure_results.school_id,
        procedure_results.year,
        procedure_results.participants,
        vpr_marks.mark_4 + vpr_marks.mark_5 as high_marks

    from procedure_results
    inner join vpr_marks
        on vpr_marks.school_id = procedure_results.school_id
        and vpr_marks.year = procedure_results.year
        and vpr_marks.subject = procedure_results.subject
        and vpr_marks.grade = procedure_results.grade
    where procedure_results.exam = 'VPR'
        and not procedure_results.small_n
        and {{ years_filter('procedure_results.year') }}

),

school_high_marks as (

    select
        school_id,
        year,
        cast(sum(high_marks) as hugeint) as high_marks,
        cast(sum(participants) as hugeint) as participants

    from vpr_rows
    group by school_id, year

),

year_high_marks as (

    select
        year,
        cast(sum(high_marks) as hugeint) as high_marks,
        cast(sum(participants) as hugeint) as participants

    from vpr_rows
    group by year

),

high_marks as (

    select
        school_high_marks.school_id,
        school_high_marks.year,
        cast(school_high_marks.high_marks as double) / school_high_marks.participants
            as high_marks_share,
        cast(year_high_marks.high_marks as double) / year_high_marks.participants
            as year_high_marks_share,
        school_high_marks.high_marks * year_high_marks.participants
        - year_high_marks.high_marks * school_high_marks.participants
        >= {{ exact_param('objectivity_excess') }}
        * (school_high_marks.participants * year_high_marks.participants)
            as high_marks_excess

    from school_high_marks
    inner join year_high_marks
        on year_high_marks.year = school_high_marks.year

),

oge_gaps as (

    select
        oge.school_id,
        oge.year,
        max(oge.low_share - vpr.low_share) as oge_vpr_gap,
        bool_or(
            cast(oge.failed as hugeint) * vpr.participants
            - cast(vpr.failed as hugeint) * oge.participants
            >= {{ exact_param('objectivity_gap') }}
            * (cast(oge.participants as hugeint) * vpr.participants)
        ) as not_confirmed_by_oge

    from procedure_results as oge
    inner join procedure_results as vpr
        on vpr.school_id = oge.school_id
        and vpr.year = oge.year - 1
        and vpr.subject = oge.subject
        and vpr.exam = 'VPR'
    inner join last_vpr_grade
        on last_vpr_grade.grade = vpr.grade
    where oge.exam = 'OGE'
        and not oge.small_n
        and not vpr.small_n
        and {{ years_filter('oge.year') }}
    group by oge.school_id, oge.year

),

improvements as (

    select
        school_id,
        to_year as year,
        min(delta_low_share) as min_cohort_delta,
        bool_or(
            delta_numerator <= -{{ exact_param('objectivity_jump') }} * delta_denominator
        ) as sharp_improvement

    from cohort_steps
    where not small_n and delta_denominator > 0
    group by school_id, to_year

),

signals as (

    select
        schools.school_id,
        schools.year,
        schools.school_name,
        schools.municipality,
        high_marks.high_marks_share,
        high_marks.year_high_marks_share,
        oge_gaps.oge_vpr_gap,
        improvements.min_cohort_delta,
        coalesce(high_marks.high_marks_excess, false) as high_marks_excess,
        coalesce(oge_gaps.not_confirmed_by_oge, false) as not_confirmed_by_oge,
        coalesce(improvements.sharp_improvement, false) as sharp_improvement

    from schools
    left join high_marks
        on high_marks.school_id = schools.school_id
        and high_marks.year = schools.year
    left join oge_gaps
        on oge_gaps.school_id = schools.school_id
        and oge_gaps.year = schools.year
    left join improvements
        on improvements.school_id = schools.school_id
        and improvements.year = schools.year

),

final as (

    select
        school_id,
        year,
        school_name,
        municipality,
        cast(high_marks_share as double) as high_marks_share,
        cast(year_high_marks_share as double) as year_high_marks_share,
        cast(oge_vpr_gap as double) as oge_vpr_gap,
        cast(min_cohort_delta as double) as min_cohort_delta,
        high_marks_excess,
        not_confirmed_by_oge,
        sharp_improvement,
        cast(high_marks_excess as integer) + cast(not_confirmed_by_oge as integer)
        + cast(sharp_improvement as integer) as objectivity_signals,
        high_marks_excess or not_confirmed_by_oge or sharp_improvement as objectivity_doubtful

    from signals

)

select * from final
