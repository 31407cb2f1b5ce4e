{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- School × year of the registry: criteria 1 and 2 of the ШНОР methodology and the initial list
    with its reasons in plain Russian. Criteria (in the mode of var criterion2_mode), the list and
    its recomputations with clear / could-be-low flags come from int_school_low_years.
    Decision support (docs/methodology.md, «Поддержка решений»): rule_set says in words which
    rule built the row; list_confidence, list_status and
    years_on_list. The previous years' list is recomputed from int_school_low_years (every year,
    with this run's vars), not read from rows built earlier with other vars.
    Support stage (docs/methodology.md, «Результаты поддержки»): years_off_list = Y − L, L the last
    year before Y on the list (0 on the list, null never on it); support_stage escalate (on the list
    escalation_years in a row or more) / listed / exited (off exit_years or more and success share
    of int_school_result_index in Y minus in L at least exit_min_gain, compared exactly as
    integers: passed_Y × participants_L − passed_L × participants_Y ≥ gain × both participants) /
    left_unconfirmed / none. -#}
{%- set persistence_years = var('persistence_years') | int -%}
{%- set same_procedure = var('criterion2_mode') == 'same_procedure' -%}
{%- set threshold_percent = (
    '%g' | format(var('low_share_threshold') | float * 100)
) | replace('.', ',') -%}
{%- set min_participants = var('min_participants') | int -%}
{%- set criterion1_min = var('criterion1_min_procedures') | int -%}
{%- set escalation_years = var('escalation_years') | int -%}
{%- set exit_years = var('exit_years') | int -%}

-- The linter lays out the SQL that the Jinja conditionals below render, not this source: its
-- indentation rule (sqlfluff LT02) cannot be met here, so it is off for this file.
-- noqa: disable=LT02
with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

registry as (

    select
        school_id,
        year
    from {{ ref('stg_schools') }}

),

low_years as (

    select * from {{ ref('int_school_low_years') }}

),

result_index as (

    select
        school_id,
        year,
        cast(selection_participants as bigint) as participants,
        cast(selection_passed as bigint) as passed
    from {{ ref('int_school_result_index') }}
    where selection_participants > 0

),

-- every registry school × year (all years): on the list or not, for list movement
list_years as (

    select
        registry.school_id,
        registry.year,
        coalesce(low_years.on_initial_list, false) as on_list

    from registry
    left join low_years
        on low_years.school_id = registry.school_id
        and low_years.year = registry.year

),

list_streaks as (

    {{ streak_start('list_years', ['school_id'], 'on_list') }}

),

-- L: the last year before this one in which the school was on the list
last_listed as (

    select
        schools.school_id,
        schools.year,
        max(list_years.year) as last_listed_year

    from schools
    inner join list_years
        on list_years.school_id = schools.school_id
        and list_years.year < schools.year
    where list_years.on_list
    group by schools.school_id, schools.year

),

criteria as (

    select
        schools.school_id,
        schools.year,
        schools.school_name,
        schools.municipality,
        schools.is_active,
        low_years.school_id is not null as has_results,
        coalesce(low_years.low_procedures, 0) as low_procedures,
        coalesce(low_years.low_procedure_ids, []) as low_procedure_ids,
        low_years.low_procedure_names,
        coalesce(low_years.criterion_1, false) as criterion_1,
        coalesce(low_years.criterion_2, false) as criterion_2,
        coalesce(low_years.criterion_2_procedures, []) as criterion_2_procedures,
        low_years.criterion_2_procedure_names,
        coalesce(low_years.on_list_if_clear, false) as on_list_if_clear,
        coalesce(low_years.on_list_if_could_be_low, false) as on_list_if_could_be_low,
        coalesce(previous_year.on_list, false) as on_list_previous_year,
        list_streaks.streak_from_year as list_from_year,
        last_listed.last_listed_year,
        result_now.participants as participants_now,
        result_now.passed as passed_now,
        result_last.participants as participants_last_listed,
        result_last.passed as passed_last_listed

    from schools
    left join low_years
        on low_years.school_id = schools.school_id
        and low_years.year = schools.year
    left join list_years as previous_year
        on previous_year.school_id = schools.school_id
        and previous_year.year = schools.year - 1
    left join list_streaks
        on list_streaks.school_id = schools.school_id
        and list_streaks.year = schools.year
    left join last_listed
        on last_listed.school_id = schools.school_id
        and last_listed.year = schools.year
    left join result_index as result_now
        on result_now.school_id = schools.school_id
        and result_now.year = schools.year
    left join result_index as result_last
        on result_last.school_id = schools.school_id
        and result_last.year = last_listed.last_listed_year

),

listed as (

    select
        *,
        criterion_1 or criterion_2 as on_initial_list

    from criteria

),

list_years_counted as (

    select
        *,
        case when on_initial_list then year - list_from_year + 1 else 0 end as years_on_list,
        case
            when on_initial_list then 0
            when last_listed_year is not null then year - last_listed_year
        end as years_off_list,
        -- success share now minus in L ≥ exit_min_gain, exactly (both shares non-null)
        passed_now * participants_last_listed - passed_last_listed * participants_now
        >= {{ exact_param('exit_min_gain') }} * participants_now * participants_last_listed
            as gained_enough

    from listed

),

final as (

    select
        school_id,
        year,
        school_name,
        municipality,
        is_active,
        has_results,
        cast(low_procedures as integer) as low_procedures,
        low_procedure_ids,
        criterion_1,
        criterion_2,
        on_initial_list,
        nullif(concat_ws('; ',
            case when criterion_1 then
                'критерий 1: низкие результаты по ' || low_procedures || ' '
                || {{ ru_plural('low_procedures', 'процедуре', 'процедурам', 'процедурам') }}
                || ' (' || low_procedure_names || ')'
            end,
            case when criterion_2 then
                'критерий 2: низкие результаты '
                {%- if same_procedure %}
                || 'по одной и той же процедуре '
                {%- endif %}
                {%- if persistence_years == 1 %}
                || 'в ' || year || ' году'
                {%- else %}
                || '{{ persistence_years }} '
                || {{ ru_plural(persistence_years, 'год', 'года', 'лет') }}
                || ' подряд (' || (year - {{ persistence_years - 1 }}) || '–' || year || ')'
                {%- endif %}
                {%- if same_procedure %}
                || ': ' || criterion_2_procedure_names
                {%- endif %}
            end
        ), '') as reasons,
        {%- if var('preset') is not none %}
        -- the preset the run follows, by name (docs/methodology.md, «Варианты методики и пресеты»)
        'Пресет «{{ var("preset") | replace("'", "''") }}». '
            ||
        {%- endif %}
        'Критерий 1: не менее {{ criterion1_min }} '
            || {{ ru_plural(criterion1_min, 'процедуры', 'процедур', 'процедур') }}
            || ' отбора с низким результатом в году. '
        {%- if same_procedure %}
            || 'Критерий 2 (одна и та же процедура): одна и та же процедура отбора с низким '
            || 'результатом '
        {%- else %}
            || 'Критерий 2 (любая процедура): хотя бы одна процедура отбора с низким результатом '
        {%- endif %}
        {%- if persistence_years == 1 %}
            || 'в ' || year || ' году. '
        {%- else %}
            || 'в каждом из {{ persistence_years }} лет подряд ('
            || (year - {{ persistence_years - 1 }}) || '–' || year || '). '
        {%- endif %}
            || 'Низкий результат: не менее {{ threshold_percent }} % участников с отметкой «2» '
            || '(ГИА — не преодолели минимальный порог) при числе участников не менее '
            || '{{ min_participants }}.' as rule_set,
        criterion_2_procedures,
        case
            when on_initial_list and on_list_if_clear then 'clear'
            when on_initial_list then 'borderline'
            when on_list_if_could_be_low then 'near_miss'
        end as list_confidence,
        case
            when on_initial_list and on_list_previous_year then 'continuing'
            when on_initial_list then 'new'
            when on_list_previous_year then 'left'
            else 'none'
        end as list_status,
        cast(years_on_list as integer) as years_on_list,
        cast(years_off_list as integer) as years_off_list,
        case
            when on_initial_list and years_on_list >= {{ escalation_years }} then 'escalate'
            when on_initial_list then 'listed'
            when years_off_list is null then 'none'
            when years_off_list >= {{ exit_years }} and gained_enough then 'exited'
            else 'left_unconfirmed'
        end as support_stage

    from list_years_counted

)

select * from final
