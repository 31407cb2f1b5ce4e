{#- The twelve ISBSh features (docs/methodology.md, «Методика и параметры») in long format
    (school × year × feature), with the year's mean, standard deviation and z-score. A feature
    whose value does not vary across the year's schools (fewer than two distinct values) is left
    out: `is_used = false`, `z` null. A missing
    value (e.g. students_total = 0) has `z` null; the ISBSh and the OLS fit treat it as the year's
    mean (z = 0). With isbsh_method = fixed, a feature whose fixed weight row also gives mean and sd
    (seed isbsh_weights or a preset's rows) is standardised with them — a fixed scale, so that
    years can be compared (docs/methodology.md) — and used even without variance that year. -#}
{%- set shares = [
    'low_income', 'single_parent', 'large_family', 'parents_higher_edu',
    'unemployed_parents', 'non_native_russian', 'disabled', 'registered_at_risk'
] -%}
{%- set features = [] -%}
{%- for c in shares %}{% do features.append(c ~ '_share') %}{% endfor -%}
{%- do features.extend(
    ['distance_to_center_km', 'internet_mbps', 'computers_per_100', 'vacancy_rate']
) %}

with

social_passport as (

    select * from {{ ref('stg_social_passport') }}

),

feature_values as (

    select
        school_id,
        year,
        {%- for c in shares %}
        {{ c }} / nullif(students_total, 0) as {{ c }}_share,
        {%- endfor %}
        distance_to_center_km,
        internet_mbps,
        100.0 * computers / nullif(students_total, 0) as computers_per_100,
        teacher_vacancies / nullif(teachers_total + teacher_vacancies, 0) as vacancy_rate

    from social_passport

),

features_long as (
    {%- for f in features %}

    select
        school_id,
        year,
        {{ loop.index }} as feature_order,
        '{{ f }}' as feature,
        cast({{ f }} as double) as value
    from feature_values
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

given_scale as (

    select
        feature,
        mean,
        sd

    from {{ isbsh_given_weights() }} as given_weights
    where
        mean is not null and sd is not null
        {%- if var('isbsh_method') != 'fixed' %}
        and false
        {%- endif %}

),

feature_stats as (

    select
        year,
        feature,
        avg(value) as feature_mean,
        stddev_pop(value) as feature_sd,
        count(distinct value) as distinct_values

    from features_long
    group by year, feature

),

final as (

    select
        features_long.school_id,
        features_long.year,
        cast(features_long.feature_order as integer) as feature_order,
        features_long.feature,
        features_long.value,
        coalesce(given_scale.mean, feature_stats.feature_mean) as feature_mean,
        coalesce(given_scale.sd, feature_stats.feature_sd) as feature_sd,
        given_scale.feature is not null or feature_stats.distinct_values > 1 as is_used,
        case
            when given_scale.feature is not null
                then (features_long.value - given_scale.mean) / given_scale.sd
            when feature_stats.distinct_values > 1
                then (features_long.value - feature_stats.feature_mean) / feature_stats.feature_sd
        end as z

    from features_long
    inner join feature_stats
        on feature_stats.year = features_long.year
        and feature_stats.feature = features_long.feature
    left join given_scale
        on given_scale.feature = features_long.feature

)

select * from final
