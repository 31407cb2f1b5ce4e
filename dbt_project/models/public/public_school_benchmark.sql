{{
    config(
        materialized='view',
        schema='public',
        alias='school_benchmark'
    )
}}

{#- The public edition of mart_school_benchmark (docs/methodology.md, «Публичная версия»): a
    school-year's pooled success share over its parts (selection procedures that are not small-n,
    as in the result index) with the participants it pools. It is withheld when the pooled group
    is small, and when, after complementary suppression (mart_disclosure_control), its sums would
    still give a hidden term away (no part was left to hide beside it). Extreme shares of groups
    under coding_below are coded. The percentile and level among similar schools go with the
    share: a share not shown takes them along. -#}

with

benchmark as (

    select
        school_id,
        year,
        school_name,
        municipality,
        success_share,
        group_size,
        group_success_share,
        group_percentile,
        benchmark_level
    from {{ ref('mart_school_benchmark') }}

),

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

),

rules as (

    select
        benchmark.*,
        pooled.participants,
        coalesce({{ public_small_group('pooled.participants') }} or pooled.gives_away, true)
            as withheld,
        {{ public_extreme_share('benchmark.success_share', 'pooled.participants') }} as extreme,
        {{ public_share_code('benchmark.success_share', 'pooled.participants') }} as share_code
    from benchmark
    left join pooled
        on pooled.school_id = benchmark.school_id
        and pooled.year = benchmark.year

)

select
    school_id,
    year,
    school_name,
    municipality,
    case when not withheld then participants end as participants,
    withheld as participants_suppressed,
    case when not (withheld or extreme) then success_share end as success_share,
    withheld or extreme as success_share_suppressed,
    case when not withheld then share_code end as success_share_coded,
    group_size,
    group_success_share,
    case when not (withheld or extreme) then group_percentile end as group_percentile,
    withheld or extreme as group_percentile_suppressed,
    case when not withheld then benchmark_level end as benchmark_level,
    case when not withheld then {{ code_label('benchmark_level', 'benchmark_level') }} end
        as benchmark_level_ru
from rules
