-- noqa: disable=LT02
{# The linter lays out the SQL its Jinja loops and conditionals render, not this source: its
   indentation rule (sqlfluff LT02) cannot be met here, so it is off for this file. #}
{#- The one definition of a "low year", of criteria 1 and 2 and of the initial list, used by
    mart_low_results and mart_persistence. One row per school × year with at least one row in
    fct_procedure_results. A low year = at least one selection procedure (in_selection) with is_low.
    The streak consecutive_low_years ends at this year and counts consecutive calendar years that
    are all low: a year that is not low, or has no results at all, breaks it (0 when this year is
    not low). meets_persistence = the streak covers the last persistence_years years.

    Criterion 2 follows var criterion2_mode (docs/methodology.md, «Поддержка решений»):
    any_procedure — meets_persistence;
    same_procedure — one and the same selection procedure is low in each of the last
    persistence_years years (a year without that procedure breaks its streak).

    The criteria are computed three times with the same code (Jinja loop over `bases`), once per
    way of counting a procedure as low: `low` (is_low: the list itself), `clear` (low_is_clear:
    the list when only clear flags count) and `could` (could_be_low: the list when every flag that
    could be low counts) — list_confidence of mart_low_results compares them. -#}
{%- set persistence_years = var('persistence_years') | int -%}
{%- set mode = var('criterion2_mode') -%}
{%- if mode not in ['any_procedure', 'same_procedure'] -%}
    {{ exceptions.raise_compiler_error(
        "criterion2_mode must be 'any_procedure' or 'same_procedure', got '" ~ mode ~ "'") }}
{%- endif -%}
{%- set bases = {'low': 'is_low', 'clear': 'low_is_clear', 'could': 'could_be_low'} -%}
{%- set procedure_order -%}
    case exam when 'VPR' then 1 when 'OGE' then 2 when 'EGE' then 3 end, grade, procedure_id
{%- endset -%}
with

procedure_results as (

    select * from {{ ref('fct_procedure_results') }}

),

flags as (

    select
        school_id,
        year,
        procedure_id,
        procedure_name,
        exam,
        grade,
        in_selection,
        {%- for basis, column in bases.items() %}
        coalesce(in_selection and {{ column }}, false) as {{ basis }}_flag{{ ',' if not loop.last }}
        {%- endfor %}

    from procedure_results

),

{% for basis in bases -%}
procedure_streaks_{{ basis }} as (

    {{ streak_start('flags', ['school_id', 'procedure_id'], basis ~ '_flag') }}

),

{% endfor -%}

procedure_years as (

    select
        flags.*,
        {%- for basis in bases %}
        coalesce(flags.year - procedure_streaks_{{ basis }}.streak_from_year + 1, 0)
            >= {{ persistence_years }} as {{ basis }}_procedure_persists{{ ',' if not loop.last }}
        {%- endfor %}

    from flags
    {%- for basis in bases %}
    left join procedure_streaks_{{ basis }}
        on procedure_streaks_{{ basis }}.school_id = flags.school_id
        and procedure_streaks_{{ basis }}.procedure_id = flags.procedure_id
        and procedure_streaks_{{ basis }}.year = flags.year
    {%- endfor %}

),

school_years as (

    select
        school_id,
        year,
        cast(count(*) filter (where in_selection) as integer) as selection_procedures,
        {%- for basis in bases %}
        cast(count(*) filter (where {{ basis }}_flag) as integer) as {{ basis }}_procedures,
        list(procedure_id order by {{ procedure_order }}) filter (where {{ basis }}_flag)
            as {{ basis }}_procedure_ids,
        list(procedure_id order by {{ procedure_order }})
            filter (where {{ basis }}_procedure_persists) as {{ basis }}_persisting_ids,
        {%- endfor %}
        string_agg(procedure_name, ', ' order by {{ procedure_order }}) filter (where low_flag)
            as low_procedure_names,
        string_agg(procedure_name, ', ' order by {{ procedure_order }})
            filter (where low_procedure_persists) as low_persisting_names

    from procedure_years
    group by school_id, year

),

{% for basis in bases -%}
school_streaks_{{ basis }} as (

    {{ streak_start('school_years', ['school_id'], basis ~ '_procedures > 0') }}

),

{% endfor -%}

criteria as (

    select
        school_years.*,
        {%- for basis in bases %}
        school_streaks_{{ basis }}.streak_from_year as {{ basis }}_streak_from_year,
        cast(coalesce(school_years.year - school_streaks_{{ basis }}.streak_from_year + 1, 0)
            as integer) as {{ basis }}_consecutive_years,
        school_years.{{ basis }}_procedures >= {{ var('criterion1_min_procedures') }}
            as {{ basis }}_criterion_1,
        {%- if mode == 'any_procedure' %}
        coalesce(school_years.year - school_streaks_{{ basis }}.streak_from_year + 1, 0)
            >= {{ persistence_years }} as {{ basis }}_criterion_2{{ ',' if not loop.last }}
        {%- else %}
        coalesce(len(school_years.{{ basis }}_persisting_ids), 0) > 0
            as {{ basis }}_criterion_2{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}

    from school_years
    {%- for basis in bases %}
    left join school_streaks_{{ basis }}
        on school_streaks_{{ basis }}.school_id = school_years.school_id
        and school_streaks_{{ basis }}.year = school_years.year
    {%- endfor %}

),

final as (

    select
        school_id,
        year,
        selection_procedures,
        low_procedures,
        coalesce(low_procedure_ids, []) as low_procedure_ids,
        low_procedure_names,
        low_procedures > 0 as is_low_year,
        low_streak_from_year as streak_from_year,
        low_consecutive_years as consecutive_low_years,
        low_consecutive_years >= {{ persistence_years }} as meets_persistence,
        low_criterion_1 as criterion_1,
        low_criterion_2 as criterion_2,
        low_criterion_1 or low_criterion_2 as on_initial_list,
        {%- if mode == 'any_procedure' %}
        case when low_criterion_2 then coalesce(low_procedure_ids, []) else [] end
            as criterion_2_procedures,
        case when low_criterion_2 then low_procedure_names end as criterion_2_procedure_names,
        {%- else %}
        coalesce(low_persisting_ids, []) as criterion_2_procedures,
        low_persisting_names as criterion_2_procedure_names,
        {%- endif %}
        clear_procedures,
        clear_criterion_1 or clear_criterion_2 as on_list_if_clear,
        could_procedures as could_be_low_procedures,
        could_criterion_1 or could_criterion_2 as on_list_if_could_be_low

    from criteria

)

select * from final
