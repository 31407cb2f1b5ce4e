{#- pre_hook of the incremental marts: on an incremental run, delete the rows of the results years
    being rebuilt (var `years`; every row when it is null) before `delete+insert` adds them back.
    `delete+insert` alone only replaces the years that produce at least one new row, so a year
    whose input became empty would keep stale rows; rows of the other years are never touched.
    `reach` > 0 also deletes the `reach` years after each run year (macro years_filter_reaching). -#}
{% macro delete_rebuilt_years(column='year', reach=0) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ years_filter_reaching(column, reach) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
