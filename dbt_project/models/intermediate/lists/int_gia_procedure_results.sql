{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- OGE/EGE participant rows aggregated to school × year × exam × subject.
    A table, built by results year like the marts: it is the one pass over the millions of
    participant rows, which the facts and this model's data tests then read (as a view, every test
    repeated that pass).
    Only main-attempt current-year graduates count (attempt = 'main' and category = 'current').
    A participant fails when mark = 2, or, where there is no mark, when score is below the year's
    minimum score of seed `min_scores`; without a mark and without a minimum score for that exam,
    subject and year (or without a score) the participant counts as not failed.
    A school whose rows for an exam and subject are all retakes or past-year graduates still gets
    a row, with participants = 0 and the excluded rows counted in excluded_participants. -#}
with

gia as (

    select * from {{ ref('stg_gia_results') }}
    where {{ years_filter('year') }}

),

min_scores as (

    select * from {{ ref('min_scores') }}

),

participants as (

    select
        gia.year,
        gia.school_id,
        gia.exam,
        gia.subject,
        gia.participant_id,
        gia.attempt = 'main' and gia.category = 'current' as is_counted,
        case
            when gia.mark is not null then gia.mark = 2
            else coalesce(gia.score < min_scores.min_score, false)
        end as is_failed

    from gia
    left join min_scores
        on min_scores.exam = gia.exam
        and min_scores.subject = gia.subject
        and gia.year between min_scores.from_year and coalesce(min_scores.to_year, 9999)

),

procedure_counts as (

    select
        school_id,
        year,
        exam,
        subject,
        cast(null as integer) as grade,
        cast(count(distinct participant_id) filter (where is_counted) as integer) as participants,
        cast(count(distinct participant_id) filter (where is_counted and is_failed) as integer)
            as failed,
        cast(count(*) filter (where not is_counted) as integer) as excluded_participants

    from participants
    group by school_id, year, exam, subject

)

select * from procedure_counts
