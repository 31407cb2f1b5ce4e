{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- What the public edition may show of each school × year × procedure (docs/methodology.md,
    «Публичная версия»); the views of schema public apply it.

    1. A small group (under suppress_below participants) hides every figure.
    2. An extreme share of a group under coding_below is coded («< 5 %» / «> 95 %») or, where the
       code would pin the count, hidden; either way failed and the interval are hidden.
    3. The school-year's pooled success share (public.school_benchmark) sums its parts — selection
       procedures that are not small-n — so it must not give a hidden term away. A reader knows
       each hidden term's bounds: participants at least min_participants; failed between 0 and
       participants, narrowed by is_low (failed ≥ participants × low_share_threshold, shown) and
       by a code. Bounds are taken at the true value of the other figure of the part, which is
       one possible value: two values found this way are two the reader cannot tell apart.
       Where a sum gives a term away (macro public_sum_gives_away), the smallest part still shown
       whose figures lie strictly inside their bounds is hidden too — its participants as well
       when the participants' sum gives one away, else only its failed and share. -#}

with

results as (

    select
        school_id,
        year,
        procedure_id,
        in_selection and not small_n as is_part,
        is_low,
        participants,
        failed,
        low_share,
        {{ public_small_group('participants') }} as small_group,
        {{ public_extreme_share('low_share', 'participants') }} as extreme_share,
        {{ public_share_code('low_share', 'participants') }} as share_code,
        {{ exact_param('low_share_threshold') }} as threshold,
        {{ exact_param('coding_low_share') }} as coding_low,
        {{ exact_param('coding_high_share') }} as coding_high
    from {{ ref('fct_procedure_results') }}
    where {{ years_filter('year') }}

),

bounded as (

    select
        *,
        -- failed given the true participants: is_low and a code narrow it
        greatest(
            case when is_low then cast(ceil(participants * threshold) as integer) else 0 end,
            case
                when share_code like '>%'
                    then cast(floor(participants * coding_high) as integer) + 1
                else 0
            end
        ) as failed_low,
        least(
            case
                when is_low then participants
                else cast(ceil(participants * threshold) as integer) - 1
            end,
            case
                when share_code like '<%'
                    then cast(ceil(participants * coding_low) as integer) - 1
                else participants
            end
        ) as failed_high,
        -- participants given the true failed: at least min_participants (a part) and failed
        greatest(
            {{ var('min_participants') }},
            failed,
            case when not is_low then cast(floor(failed / threshold) as integer) + 1 else 0 end
        ) as participants_low,
        case when is_low then cast(floor(failed / threshold) as integer) end as participants_high,
        small_group as hides_participants,
        small_group or extreme_share as hides_failed
    from results

),

school_years as (

    select
        school_id,
        year,
        {{ public_sum_gives_away(
            'count(*) filter (where is_part and hides_participants)',
            'sum(participants_low) filter (where is_part and hides_participants)',
            'sum(participants) filter (where is_part and hides_participants)',
            'case when count(*) filter (where is_part and hides_participants and participants_high is null) = 0 then sum(participants_high) filter (where is_part and hides_participants) end'
        ) }} as participants_given_away,
        {{ public_sum_gives_away(
            'count(*) filter (where is_part and hides_failed)',
            'sum(failed_low) filter (where is_part and hides_failed)',
            'sum(failed) filter (where is_part and hides_failed)',
            'sum(failed_high) filter (where is_part and hides_failed)'
        ) }} as failed_given_away
    from bounded
    group by school_id, year

),

complement_candidates as (

    select
        school_id,
        year,
        procedure_id,
        row_number() over (
            partition by school_id, year order by participants, procedure_id
        ) as rank_by_size
    from bounded
    where is_part
        and not hides_failed
        and failed_low < failed and failed < failed_high
        and participants_low < participants
        and (participants_high is null or participants < participants_high)

),

decided as (

    select
        bounded.*,
        coalesce(complement_candidates.rank_by_size = 1, false)
        and (school_years.participants_given_away or school_years.failed_given_away)
            as complement,
        school_years.participants_given_away
    from bounded
    inner join school_years
        on school_years.school_id = bounded.school_id
        and school_years.year = bounded.year
    left join complement_candidates
        on complement_candidates.school_id = bounded.school_id
        and complement_candidates.year = bounded.year
        and complement_candidates.procedure_id = bounded.procedure_id

)

select
    school_id,
    year,
    procedure_id,
    is_part,
    hides_participants or (complement and participants_given_away) as hide_participants,
    hides_failed or complement as hide_figures,
    share_code,
    complement as complementary,
    failed_low,
    failed_high,
    participants_low,
    participants_high
from decided
