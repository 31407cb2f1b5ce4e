{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- School × year × procedure (all procedures of seed `procedures`, selection or not):
    in_selection from the seed, or var selection_procedures when a preset names the selection;
    low_share = failed / participants; small_n when participants < min_participants (never low);
    is_low when low_share >= low_share_threshold (compared exactly, in decimals).
    Decision support (docs/methodology.md, «Поддержка решений»): the Wilson score interval of
    failed / participants at flag_confidence_level
    (two-sided; z = Φ⁻¹((1 + level) / 2) computed in SQL by the normal_quantile macro, 0.95 →
    1.959964); low_is_clear = is_low and the lower bound >= threshold; could_be_low = not small_n
    and the upper bound >= threshold. -#}
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
        {{ in_selection('procedures') }} as in_selection,
        procedure_counts.participants,
        procedure_counts.failed,
        procedure_counts.excluded_participants

    from procedure_counts
    inner join procedures
        on procedures.exam = procedure_counts.exam
        and procedures.subject = procedure_counts.subject
        and procedures.grade is not distinct from procedure_counts.grade

),

confidence as (

    select {{ normal_quantile('upper_tail_probability') }} as z

    from (
        select (1 + {{ exact_param('flag_confidence_level') }}) / 2 as upper_tail_probability
    ) as level

),

wilson as (

    select
        joined.*,
        cast(joined.failed as double) / nullif(joined.participants, 0) as p,
        cast(joined.participants as double) as n,
        confidence.z

    from joined
    cross join confidence

),

intervals as (

    select
        *,
        (p + z * z / (2 * n)) / (1 + z * z / n) as wilson_centre,
        z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n) as wilson_half_width

    from wilson

),

flags as (

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
        ) as is_low,
        -- clamped against rounding only; least/greatest skip nulls, hence the case
        case when participants > 0 then greatest(0, wilson_centre - wilson_half_width) end
            as low_share_ci_lower,
        case when participants > 0 then least(1, wilson_centre + wilson_half_width) end
            as low_share_ci_upper

    from intervals

),

final as (

    select
        *,
        is_low and coalesce(low_share_ci_lower >= {{ var('low_share_threshold') }}, false)
            as low_is_clear,
        not small_n and coalesce(low_share_ci_upper >= {{ var('low_share_threshold') }}, false)
            as could_be_low

    from flags

)

select * from final
