{#- SQL predicate: `column` is a results year of this run or one of the `reach` years after one
    (years_filter of column, column − 1, …, column − reach). A mart whose row of year F also reads
    earlier years (mart_list_outcomes: an entry year and the list two years before it) rebuilds
    these years, so a rebuilt year leaves no row built from its old values. `true` when the run
    covers every year. -#}
{% macro years_filter_reaching(column='year', reach=0) -%}
    {%- if reach | int == 0 -%}
        {{ years_filter(column) }}
    {%- else -%}
        ({% for back in range(reach | int + 1) -%}
            {{ years_filter('(' ~ column ~ ' - ' ~ back ~ ')') }}{% if not loop.last %} or {% endif %}
        {%- endfor %})
    {%- endif -%}
{%- endmacro %}
