{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- ISBSh (ИСБШ) of SPEC §3 for every school with a social passport in the run's years:
    isbsh = Σ weight × z over the features used that year (a missing value counts as z = 0),
    its quintile within the year (percent_rank; equal values share a quintile) and the social
    status. Weights: isbsh_weights_fitted (OLS, or the seed with isbsh_method = fixed). -#}
with passport as (
    select distinct school_id, year
    from {{ ref('stg_social_passport') }}
    where {{ years_filter('year') }}
),

features as (
    select school_id, year, feature, feature_order, z
    from {{ ref('int_isbsh_features') }}
    where is_used and {{ years_filter('year') }}
),

weights as (
    select year, feature, weight, method
    from {{ ref('isbsh_weights_fitted') }}
    where feature <> 'intercept' and {{ years_filter('year') }}
),

scored as (
    select
        f.school_id,
        f.year,
        -- summed in a fixed order, so that schools with equal features get bit-equal ISBSh
        -- (and share a quintile)
        sum(w.weight * coalesce(f.z, 0) order by f.feature_order) as isbsh,
        count(*) as features_used,
        any_value(w.method) as weights_method
    from features as f
    inner join weights as w
        on w.year = f.year and w.feature = f.feature
    group by f.school_id, f.year
),

ranked as (
    select
        p.school_id,
        p.year,
        s.isbsh,
        coalesce(s.features_used, 0) as features_used,
        s.weights_method,
        case
            when s.isbsh is not null
                then least(5, 1 + floor(5 * percent_rank() over (
                    partition by p.year, s.isbsh is null order by s.isbsh
                )))
        end as isbsh_quintile
    from passport as p
    left join scored as s
        on s.school_id = p.school_id and s.year = p.year
)

select
    school_id,
    year,
    cast(isbsh as double) as isbsh,
    cast(isbsh_quintile as integer) as isbsh_quintile,
    case isbsh_quintile
        when 1 then 'unfavourable'
        when 5 then 'favourable'
        else case when isbsh_quintile is not null then 'neutral' end
    end as social_status,
    cast(features_used as integer) as features_used,
    weights_method
from ranked
