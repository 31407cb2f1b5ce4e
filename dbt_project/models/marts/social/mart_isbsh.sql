{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- ISBSh (ИСБШ; docs/methodology.md, «Методика и параметры») for every school with a social
    passport in the run's years:
    isbsh = Σ weight × z over the features used that year (a missing value counts as z = 0),
    its quintile within the year (percent_rank; equal values share a quintile) and the social
    status. Weights: isbsh_weights_fitted (OLS, or the seed with isbsh_method = fixed).
    Social status: by quintile (1 unfavourable, 5 favourable), or with social_status_method =
    threshold by ISBSh bands — unfavourable when isbsh <= isbsh_unfavourable_max, favourable when
    isbsh >= isbsh_favourable_min, else neutral (docs/methodology.md, «Варианты методики и
    пресеты»); the quintile is kept either way. -#}

with

social_passport as (

    select * from {{ ref('stg_social_passport') }}
    where {{ years_filter('year') }}

),

isbsh_features as (

    select * from {{ ref('int_isbsh_features') }}
    where {{ years_filter('year') }}

),

isbsh_weights as (

    select * from {{ ref('isbsh_weights_fitted') }}
    where {{ years_filter('year') }}

),

passport_schools as (

    select distinct
        school_id,
        year

    from social_passport

),

scored as (

    select
        isbsh_features.school_id,
        isbsh_features.year,
        -- summed in a fixed order, so that schools with equal features get bit-equal ISBSh
        -- (and share a quintile)
        sum(
            isbsh_weights.weight * coalesce(isbsh_features.z, 0)
            order by isbsh_features.feature_order
        ) as isbsh,
        count(*) as features_used,
        any_value(isbsh_weights.method) as weights_method

    from isbsh_features
    inner join isbsh_weights
        on isbsh_weights.year = isbsh_features.year
        and isbsh_weights.feature = isbsh_features.feature
    where isbsh_features.is_used and isbsh_weights.feature != 'intercept'
    group by isbsh_features.school_id, isbsh_features.year

),

ranked as (

    select
        passport_schools.school_id,
        passport_schools.year,
        scored.isbsh,
        coalesce(scored.features_used, 0) as features_used,
        scored.weights_method,
        case
            when scored.isbsh is not null
                then least(5, 1 + floor(5 * percent_rank() over (
                        partition by passport_schools.year, scored.isbsh is null
                        order by scored.isbsh
                    )))
        end as isbsh_quintile

    from passport_schools
    left join scored
        on scored.school_id = passport_schools.school_id
        and scored.year = passport_schools.year

),

final as (

    select
        school_id,
        year,
        cast(isbsh as double) as isbsh,
        cast(isbsh_quintile as integer) as isbsh_quintile,
        {%- if var('social_status_method') == 'threshold' %}
        case
            when isbsh is null then null
            when isbsh <= cast('{{ var("isbsh_unfavourable_max") }}' as double)
                then 'unfavourable'
            when isbsh >= cast('{{ var("isbsh_favourable_min") }}' as double)
                then 'favourable'
            else 'neutral'
        end as social_status,
        {%- else %}
        case isbsh_quintile
            when 1 then 'unfavourable'
            when 5 then 'favourable'
            else case when isbsh_quintile is not null then 'neutral' end
        end as social_status,
        {%- endif %}
        cast(features_used as integer) as features_used,
        weights_method

    from ranked

)

select * from final
