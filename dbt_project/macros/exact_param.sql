{#- A fractional methodology parameter (dbt var) as an exact DECIMAL, so that comparisons such as
    `failed >= participants * 0.30` hold exactly at the threshold (no binary floating point). -#}
{% macro exact_param(name) -%}
    cast('{{ var(name) }}' as decimal(18, 6))
{%- endmacro %}
