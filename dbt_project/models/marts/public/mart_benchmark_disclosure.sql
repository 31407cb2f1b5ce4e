{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- Whether the public edition may show a school-year's pooled success share (docs/methodology.md,
    «Публичная версия»), decided once per run rather than on every query of
    public.school_benchmark. The share pools the school's parts (selection procedures that are not
    small-n, mart_disclosure_control.is_part); it is withheld when the pooled group is small, or
    when, after complementary suppression, the sums of participants or of failed would still give
    a hidden term away (no part was left to hide beside it). -#}

with

parts as (

    select
        disclosure.school_id,
        disclosure.year,
        disclosure.hide_participants,
        disclosure.hide_figures,
        disclosure.failed_low,
        disclosure.failed_high,
        disclosure.participants_low,
        disclosure.participants_high,
        results.participants,
        results.failed
    from {{ ref('mart_disclosure_control') }} as disclosure
    inner join {{ ref('fct_procedure_results') }} as results
        on results.school_id = disclosure.school_id
        and results.year = disclosure.year
        and results.procedure_id = disclosure.procedure_id
    where disclosure.is_part
        and {{ years_filter('disclosure.year') }}

),

pooled as (

    select
        school_id,
        year,
        sum(participants) as participants,
        {{ public_sum_gives_away(
            'count(*) filter (where hide_participants)',
            'sum(participants_low) filter (where hide_participants)',
            'sum(participants) filter (where hide_participants)',
            'case when count(*) filter (where hide_participants and participants_high is null) = 0 then sum(participants_high) filter (where hide_participants) end'
        ) }}
        or {{ public_sum_gives_away(
            'count(*) filter (where hide_figures)',
            'sum(failed_low) filter (where hide_figures)',
            'sum(failed) filter (where hide_figures)',
            'sum(failed_high) filter (where hide_figures)'
        ) }} as gives_away
    from parts
    group by school_id, year

)

select
    school_id,
    year,
    cast(participants as integer) as participants,
    {{ public_small_group("participants") }} or gives_away as withheld
from pooled
