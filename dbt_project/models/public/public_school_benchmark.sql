{{
    config(
        materialized='view',
        schema='public',
        alias='school_benchmark'
    )
}}

{#- The public edition of mart_school_benchmark (docs/methodology.md, «Публичная версия»): a
    school-year's pooled success share over its parts (selection procedures that are not small-n,
    as in the result index) with the participants it pools. Whether it may be shown is decided
    once per run in mart_benchmark_disclosure (small pooled group, or sums that would still give a
    hidden term away); a school without parts has nothing to show. Extreme shares of groups under
    coding_below are coded. The percentile and level among similar schools go with the share: a
    share not shown takes them along. -#}

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

rules as (

    select
        benchmark.*,
        pooled.participants,
        coalesce(pooled.withheld, true) as withheld,
        {{ public_extreme_share('benchmark.success_share', 'pooled.participants') }} as extreme,
        {{ public_share_code('benchmark.success_share', 'pooled.participants') }} as share_code
    from benchmark
    left join {{ ref('mart_benchmark_disclosure') }} as pooled
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
