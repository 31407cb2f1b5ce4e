{#- Every row-level rule of one model, checked in one query (one scan, one dbt node, one Dagster
    check): a build runs ~40 of these where it ran ~180 single-rule tests, each costing dbt and
    Dagster 30–60 ms whatever its rows (README «Performance»). Returns one row per broken rule:
    its wording and how many rows break it; `nro run` names them when the build stops.

    Each rule is one of (`where`, optional, limits the rows the rule applies to; it may say
    `__run_years__`, see get_where_subquery):
      {not_null: column}                                 the column is never empty
      {accepted_values: column, values: [...], quote: false?}   empty, or one of the values
      {expression: "sql"}                                true or null on every row
-#}
{% test row_rules(model, rules) %}

{#- A `where` every rule shares filters the rows once, before the rules: DuckDB then pushes it into
    a view (a staging view reads every year of raw; its rules check the run's years). -#}
{%- set shared = namespace(where=rules[0].get('where'), same=true) -%}
{%- for rule in rules if rule.get('where') != shared.where -%}
    {%- set shared.same = false -%}
{%- endfor -%}
{%- set shared_where = shared.where if shared.same else none %}

with

broken as (

    select
        {%- for rule in rules %}
        count(*) filter (
            where {{ row_rule_broken(rule) }}
            {%- if rule.get('where') and not shared_where %} and ({{ run_years_where(rule['where']) }}){% endif %}
        ) as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if shared_where %}
    where {{ run_years_where(shared_where) }}
    {%- endif %}

)

select rule, failing_rows
from (
    {%- for rule in rules %}
    select
        {{ loop.index }} as rule_number,
        '{{ row_rule_wording(rule) | replace("'", "''") }}' as rule,
        rule_{{ loop.index }} as failing_rows
    from broken
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)
where failing_rows > 0
order by rule_number

{% endtest %}
