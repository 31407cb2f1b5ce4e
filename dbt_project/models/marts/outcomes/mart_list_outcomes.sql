{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='followup_year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('followup_year', var('outcome_horizon_years') | int + 2) }}"
    )
}}

{#- Outcomes of each entry onto the list (docs/methodology.md, «Результаты поддержки»): a row per
    school T with list_status new in year E (E not the first built year) and horizon
    h = 1 … outcome_horizon_years whose year F = E + h is built. baseline / followup success share
    (int_school_result_index) in E and F, change; had_partner from mart_partner_matches of E. The
    comparison pool of (E, h): schools other than T on the list in none of E − 2, E − 1, E, with a
    success share in E and in F; T's matched comparison schools are the outcome_matches of them
    nearest to T's share in E, the distance compared exactly (below), ties by school_id; none when
    T's baseline is null. effect = change − mean change of the matched schools.
    Incremental by the follow-up year F. A row of F reads the years E − 2 … F, so a run rebuilds
    the follow-up years of its years and the outcome_horizon_years + 2 years after each (those
    already built): a rebuilt year leaves no row built from its old values. -#}
{%- set horizon = var('outcome_horizon_years') | int -%}
{%- set matches = var('outcome_matches') | int -%}
{#- the pool leaves out schools on the list in E − 2 … E: the entry year and the two before it -#}
{%- set pool_listed_back = 2 -%}
{#- |a/b − c/d| = |a·d − c·b| / (b·d) as a whole number scaled by 10^24: distinct distances of
    shares with up to 10^6 participants each differ by at least 10^-24, so this key orders them
    exactly and equal distances get equal keys (no binary floating point) -#}
{%- set distance_scale = "cast('1000000000000000000000000' as hugeint)" -%}
{#- The nearest starting levels without comparing every entry with every pool school (nationally
    thousands of entries × tens of thousands of schools per entry and follow-up year): the pool's
    distinct starting shares are numbered in order (start_steps); an entry takes as candidates the
    pool schools of the outcome_matches + 1 steps at or below its own share and of as many above.
    The nearest outcome_matches are among them, ties included: a school outside has at least
    outcome_matches + 1 candidates strictly nearer on its side (+ 1: one of them may be T itself).
    A share as a double orders as the fraction does: distinct fractions of up to 10^6 participants
    differ by far more than a double's rounding, equal ones round alike. -#}

with

low_results as (

    select
        school_id,
        year,
        on_initial_list,
        list_status
    from {{ ref('mart_low_results') }}

),

result_index as (

    select
        school_id,
        year,
        cast(selection_participants as bigint) as participants,
        cast(selection_passed as bigint) as passed,
        -- the starting level as a key that orders as the share's fraction does (start_steps)
        cast(selection_passed as double) / selection_participants as start_key,
        success_share
    from {{ ref('int_school_result_index') }}

),

partner_matches as (

    select
        school_id,
        year,
        partner_id
    from {{ ref('mart_partner_matches') }}

),

built_years as (

    select distinct year from low_results

),

horizons as (

    select unnest(generate_series(1, {{ horizon }})) as horizon

),

entries as (

    select
        low_results.school_id,
        low_results.year as entry_year

    from low_results
    where
        low_results.list_status = 'new'
        and low_results.year > (select min(built_years.year) from built_years)

),

entry_horizons as (

    select
        entries.school_id,
        entries.entry_year,
        horizons.horizon,
        built_years.year as followup_year

    from entries
    cross join horizons
    inner join built_years
        on built_years.year = entries.entry_year + horizons.horizon
    where {{ years_filter_reaching('built_years.year', horizon + pool_listed_back) }}

),

partnered as (

    select distinct
        school_id,
        year

    from partner_matches
    where partner_id is not null

),

outcomes as (

    select
        entry_horizons.school_id,
        entry_horizons.entry_year,
        entry_horizons.horizon,
        entry_horizons.followup_year,
        partnered.school_id is not null as had_partner,
        baseline.participants as baseline_participants,
        baseline.passed as baseline_passed,
        baseline.start_key as baseline_start_key,
        baseline.success_share as baseline_success_share,
        followup.success_share as followup_success_share

    from entry_horizons
    left join result_index as baseline
        on baseline.school_id = entry_horizons.school_id
        and baseline.year = entry_horizons.entry_year
    left join result_index as followup
        on followup.school_id = entry_horizons.school_id
        and followup.year = entry_horizons.followup_year
    left join partnered
        on partnered.school_id = entry_horizons.school_id
        and partnered.year = entry_horizons.entry_year

),

pool_years as (

    select distinct
        entry_year,
        followup_year

    from outcomes

),

pool as (

    select
        pool_years.entry_year,
        pool_years.followup_year,
        pool_baseline.school_id,
        pool_baseline.participants,
        pool_baseline.passed,
        pool_baseline.start_key,
        pool_followup.success_share - pool_baseline.success_share as change

    from pool_years
    inner join result_index as pool_baseline
        on pool_baseline.year = pool_years.entry_year
    inner join result_index as pool_followup
        on pool_followup.school_id = pool_baseline.school_id
        and pool_followup.year = pool_years.followup_year
    where
        pool_baseline.success_share is not null
        and pool_followup.success_share is not null
        and not exists (
            select 1
            from low_results as listed
            where
                listed.on_initial_list
                and listed.school_id = pool_baseline.school_id
                and listed.year between pool_years.entry_year - {{ pool_listed_back }}
                and pool_years.entry_year
        )

),

start_steps as (

    select
        entry_year,
        followup_year,
        start_key,
        row_number() over (
            partition by entry_year, followup_year order by start_key
        ) as step

    from (
        select distinct
            entry_year,
            followup_year,
            start_key
        from pool
    ) as start_keys

),

pool_steps as (

    select
        pool.*,
        start_steps.step

    from pool
    inner join start_steps
        on start_steps.entry_year = pool.entry_year
        and start_steps.followup_year = pool.followup_year
        and start_steps.start_key = pool.start_key

),

entry_steps as (

    select
        outcomes.school_id,
        outcomes.entry_year,
        outcomes.followup_year,
        outcomes.baseline_participants,
        outcomes.baseline_passed,
        coalesce(start_steps.step, 0) as step

    from outcomes
    asof left join start_steps
        on start_steps.entry_year = outcomes.entry_year
        and start_steps.followup_year = outcomes.followup_year
        and start_steps.start_key <= outcomes.baseline_start_key
    where outcomes.baseline_success_share is not null

),

nearby_steps as (

    select
        school_id,
        entry_year,
        followup_year,
        baseline_participants,
        baseline_passed,
        unnest(generate_series(step - {{ matches }}, step + {{ matches }} + 1)) as step

    from entry_steps

),

candidates as (

    select
        nearby_steps.school_id,
        nearby_steps.entry_year,
        nearby_steps.followup_year,
        pool_steps.school_id as comparison_id,
        pool_steps.change,
        row_number() over (
            partition by nearby_steps.school_id, nearby_steps.entry_year, nearby_steps.followup_year
            order by
                cast(
                    abs(
                        pool_steps.passed * nearby_steps.baseline_participants
                        - nearby_steps.baseline_passed * pool_steps.participants
                    ) as hugeint
                ) * {{ distance_scale }}
                // (pool_steps.participants * nearby_steps.baseline_participants),
                pool_steps.school_id
        ) as match_rank

    from nearby_steps
    inner join pool_steps
        on pool_steps.entry_year = nearby_steps.entry_year
        and pool_steps.followup_year = nearby_steps.followup_year
        and pool_steps.step = nearby_steps.step
        and pool_steps.school_id != nearby_steps.school_id

),

matched as (

    select
        school_id,
        entry_year,
        followup_year,
        count(*) as comparison_count,
        avg(change) as comparison_change,
        list(comparison_id order by match_rank) as comparison_school_ids

    from candidates
    where match_rank <= {{ matches }}
    group by school_id, entry_year, followup_year

),

final as (

    select
        outcomes.school_id,
        cast(outcomes.entry_year as integer) as entry_year,
        cast(outcomes.horizon as integer) as horizon,
        cast(outcomes.followup_year as integer) as followup_year,
        outcomes.had_partner,
        cast(outcomes.baseline_success_share as double) as baseline_success_share,
        cast(outcomes.followup_success_share as double) as followup_success_share,
        cast(
            outcomes.followup_success_share - outcomes.baseline_success_share as double
        ) as change,
        cast(coalesce(matched.comparison_count, 0) as integer) as comparison_count,
        cast(matched.comparison_change as double) as comparison_change,
        cast(
            outcomes.followup_success_share - outcomes.baseline_success_share
            - matched.comparison_change as double
        ) as effect,
        coalesce(matched.comparison_school_ids, cast([] as varchar[])) as comparison_school_ids

    from outcomes
    left join matched
        on matched.school_id = outcomes.school_id
        and matched.entry_year = outcomes.entry_year
        and matched.followup_year = outcomes.followup_year

)

select * from final
