{#- Programme effect (docs/methodology.md, «Результаты поддержки»): per entry_year × horizon × group
    (all, with_partner, without_partner by had_partner) over the rows of mart_list_outcomes whose
    effect is not null: their number, mean change, mean comparison change, mean effect and its
    interval effect ∓ z · sd / √schools (sd the sample standard deviation, z the two-sided normal
    quantile of flag_confidence_level; null below two schools), verdict improved / worsened /
    unclear. One more row per horizon × group pools every entry year (entry_year null).
    A table rebuilt whole from mart_list_outcomes on every run (not incremental by year): the pooled
    rows read every entry year, and the aggregate of the incremental mart is small. -#}

with

outcomes as (

    select
        entry_year,
        horizon,
        had_partner,
        change,
        comparison_change,
        effect
    from {{ ref('mart_list_outcomes') }}
    where effect is not null

),

confidence as (

    select {{ normal_quantile('upper_tail_probability') }} as z

    from (
        select (1 + {{ exact_param('flag_confidence_level') }}) / 2 as upper_tail_probability
    ) as level

),

grouped as (

    select
        entry_year,
        horizon,
        'all' as effect_group,
        change,
        comparison_change,
        effect
    from outcomes

    union all

    select
        entry_year,
        horizon,
        case when had_partner then 'with_partner' else 'without_partner' end as effect_group,
        change,
        comparison_change,
        effect
    from outcomes

),

-- each row once by its entry year and once more in the pooled row of all entry years
pooled as (

    select
        entry_year,
        horizon,
        effect_group,
        change,
        comparison_change,
        effect
    from grouped

    union all

    select
        null as entry_year,
        horizon,
        effect_group,
        change,
        comparison_change,
        effect
    from grouped

),

aggregated as (

    select
        entry_year,
        horizon,
        effect_group,
        count(*) as schools,
        avg(change) as mean_change,
        avg(comparison_change) as mean_comparison_change,
        avg(effect) as effect,
        stddev_samp(effect) as effect_sd

    from pooled
    group by entry_year, horizon, effect_group

),

intervals as (

    select
        aggregated.*,
        case
            when aggregated.schools >= 2
                then aggregated.effect
                    - confidence.z * aggregated.effect_sd / sqrt(aggregated.schools)
        end as effect_ci_lower,
        case
            when aggregated.schools >= 2
                then aggregated.effect
                    + confidence.z * aggregated.effect_sd / sqrt(aggregated.schools)
        end as effect_ci_upper

    from aggregated
    cross join confidence

),

final as (

    select
        cast(entry_year as integer) as entry_year,
        cast(horizon as integer) as horizon,
        effect_group as "group",
        cast(schools as integer) as schools,
        cast(mean_change as double) as mean_change,
        cast(mean_comparison_change as double) as mean_comparison_change,
        cast(effect as double) as effect,
        cast(effect_ci_lower as double) as effect_ci_lower,
        cast(effect_ci_upper as double) as effect_ci_upper,
        case
            when effect_ci_lower > 0 then 'improved'
            when effect_ci_upper < 0 then 'worsened'
            else 'unclear'
        end as verdict

    from intervals

)

select * from final
