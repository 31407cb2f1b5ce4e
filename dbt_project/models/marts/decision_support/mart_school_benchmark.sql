{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- Benchmark against similar schools (docs/methodology.md, «Поддержка решений»), per registry
    school × year: success_share is the
    pooled success share of the result index (int_school_result_index); the group is the school's
    similar schools (mart_similar_schools). group_success_share pools the same sums over the
    members; group_percentile = (members with a lower success_share + ½ × members with an equal
    one) / members with a success_share; benchmark_level below / typical / above by benchmark_low
    and benchmark_high. -#}
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

results as (

    select
        school_id,
        year,
        selection_participants,
        selection_passed,
        success_share
    from {{ ref('int_school_result_index') }}
    where {{ years_filter('year') }}

),

similar_schools as (

    select
        school_id,
        year,
        similar_school_id
    from {{ ref('mart_similar_schools') }}
    where {{ years_filter('year') }}

),

members as (

    select
        similar_schools.school_id,
        similar_schools.year,
        member_results.selection_participants as member_participants,
        member_results.selection_passed as member_passed,
        member_results.success_share as member_success_share,
        own_results.success_share as own_success_share

    from similar_schools
    left join results as member_results
        on member_results.school_id = similar_schools.similar_school_id
        and member_results.year = similar_schools.year
    left join results as own_results
        on own_results.school_id = similar_schools.school_id
        and own_results.year = similar_schools.year

),

groups as (

    select
        school_id,
        year,
        count(*) as group_size,
        count(member_success_share) as group_with_results,
        sum(member_passed) as group_passed,
        sum(member_participants) as group_participants,
        count(*) filter (where member_success_share < own_success_share) as members_lower,
        count(*) filter (where member_success_share = own_success_share) as members_equal

    from members
    group by school_id, year

),

benchmarked as (

    select
        schools.school_id,
        schools.year,
        schools.school_name,
        schools.municipality,
        results.success_share,
        coalesce(groups.group_size, 0) as group_size,
        coalesce(groups.group_with_results, 0) as group_with_results,
        groups.group_passed / nullif(groups.group_participants, 0) as group_success_share,
        case
            when results.success_share is not null and groups.group_with_results > 0
                then (groups.members_lower + 0.5 * groups.members_equal)
                    / groups.group_with_results
        end as group_percentile

    from schools
    left join results
        on results.school_id = schools.school_id
        and results.year = schools.year
    left join groups
        on groups.school_id = schools.school_id
        and groups.year = schools.year

),

final as (

    select
        school_id,
        year,
        school_name,
        municipality,
        cast(success_share as double) as success_share,
        cast(group_size as integer) as group_size,
        cast(group_with_results as integer) as group_with_results,
        cast(group_success_share as double) as group_success_share,
        cast(group_percentile as double) as group_percentile,
        case
            when group_percentile is null then null
            when group_percentile < {{ exact_param('benchmark_low') }} then 'below'
            when group_percentile >= {{ exact_param('benchmark_high') }} then 'above'
            else 'typical'
        end as benchmark_level

    from benchmarked

)

select * from final
