{#- Use the configured schema name as is (raw, staging, intermediate, marts, seeds), so BI users
    see `marts.mart_low_results`, not `main_marts.mart_low_results`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
