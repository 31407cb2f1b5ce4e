{#- Override of dbt's `get_where_subquery` so that a data test's `where` config may say
    `__run_years__` (or `__run_years(column)__`): it is replaced at run time by
    `years_filter('year')` (or `years_filter(column)`), i.e. the test checks only the results
    years of this run (var `years`). Tests on staging and intermediate views use it: those views
    read every year of `raw`, and the raw rows of a year blocked by validation must not fail the
    build of the other years. Any other `where` works as in dbt. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ run_years_where(where) }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- A `where` condition with `__run_years__` / `__run_years(column)__` replaced (see above); the
    `where` of each rule of a `row_rules` test goes through it too. -#}
{% macro run_years_where(where) -%}
    {%- for column in modules.re.findall('__run_years\\((\\w+)\\)__', where) -%}
        {%- set where = where | replace('__run_years(' ~ column ~ ')__', years_filter(column)) -%}
    {%- endfor -%}
    {%- do return(where | replace('__run_years__', years_filter('year'))) -%}
{%- endmacro %}
