{#- SQL predicate restricting `column` to the results years of this run (var `years`);
    `true` when the run covers every year. Incremental models rebuild only these years. -#}
{% macro years_filter(column='year') -%}
    {%- set years = var('years') -%}
    {%- if years is none or years == '' -%}
        true
    {%- else -%}
        {%- if years is string or years is number -%}{%- set years = (years | string).split(',') -%}{%- endif -%}
        {{ column }} in ({% for y in years %}{{ y | int }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
