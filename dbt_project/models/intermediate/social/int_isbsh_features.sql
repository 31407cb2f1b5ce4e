{#- The twelve ISBSh features of SPEC §3 in long format (school × year × feature), with the year's
    mean, standard deviation and z-score. A feature whose value does not vary across the year's
    schools (fewer than two distinct values) is left out: `is_used = false`, `z` null. A missing
    value (e.g. students_total = 0) has `z` null; the ISBSh and the OLS fit treat it as the year's
    mean (z = 0). -#}
{%- set shares = [
    'low_income', 'single_parent', 'large_family', 'parents_higher_edu',
    'unemployed_parents', 'non_native_russian', 'disabled', 'registered_at_risk'
] -%}
with passport as (
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
    from {{ ref('stg_social_passport') }}
),

{%- set features = [] -%}
{%- for c in shares %}{% do features.append(c ~ '_share') %}{% endfor -%}
{%- do features.extend(['distance_to_center_km', 'internet_mbps', 'computers_per_100', 'vacancy_rate']) %}

long as (
    {%- for f in features %}
    select school_id, year, {{ loop.index }} as feature_order, '{{ f }}' as feature,
        cast({{ f }} as double) as value
    from passport
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

stats as (
    select
        year,
        feature,
        avg(value) as feature_mean,
        stddev_pop(value) as feature_sd,
        count(distinct value) as distinct_values
    from long
    group by year, feature
)

select
    l.school_id,
    l.year,
    cast(l.feature_order as integer) as feature_order,
    l.feature,
    l.value,
    s.feature_mean,
    s.feature_sd,
    s.distinct_values > 1 as is_used,
    case
        when s.distinct_values > 1 then (l.value - s.feature_mean) / s.feature_sd
    end as z
from long as l
inner join stats as s
    on s.year = l.year and s.feature = l.feature
