{#- SQL predicate restricting `column` to the results years of this run (var `years`);
    `true` when the run covers every year. Incremental models rebuild only these years.
    Dagster passes years = 'run_table' and writes the run's years into meta.dbt_run_years first
    (nro_pipeline/lib/methods/years_var.py): the vars stay the same from run to run, so dbt
    keeps its partial parse; the table is read when a node is compiled for execution, not when
    the project is parsed. A list (or '2023,2024') still works by hand. -#}
{% macro years_filter(column='year') -%}
    {%- set years = var('years') -%}
    {%- if years is none or years == '' -%}
        true
    {%- elif years == 'run_table' and execute -%}
        {#- the years as literals: DuckDB then skips other years' row groups of every scan, which it
            does not do behind a semi-join (a one-year test on a six-year mart read all six) -#}
        {%- set run_years = run_query('select year from meta.dbt_run_years order by year').columns[0].values() -%}
        {{ column }} in ({{ run_years | join(', ') if run_years | length else 'null' }})
    {%- elif years == 'run_table' -%}
        {{ column }} in (select run_years.year from meta.dbt_run_years as run_years)
    {%- else -%}
        {%- if years is string or years is number -%}{%- set years = (years | string).split(',') -%}{%- endif -%}
        {{ column }} in ({% for y in years %}{{ y | int }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
