{#- The two halves of a `row_rules` rule (tests/generic/row_rules.sql): the condition a row
    breaks it by, and its wording in the failure message. -#}
{% macro row_rule_broken(rule) -%}
    {%- if 'not_null' in rule -%}
        {{ adapter.quote(rule['not_null']) }} is null
    {%- elif 'accepted_values' in rule -%}
        {{ adapter.quote(rule['accepted_values']) }} not in (
        {%- for value in rule['values'] -%}
            {%- if rule.get('quote', true) %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif -%}
            {{- ', ' if not loop.last -}}
        {%- endfor -%})
    {%- elif 'expression' in rule -%}
        not coalesce(({{ rule['expression'] }}), true)
    {%- else -%}
        {{ exceptions.raise_compiler_error('row_rules: unknown rule ' ~ rule) }}
    {%- endif -%}
{%- endmacro %}


{% macro row_rule_wording(rule) -%}
    {%- if 'not_null' in rule -%}
        {%- set text = rule['not_null'] ~ ' is not null' -%}
    {%- elif 'accepted_values' in rule -%}
        {%- set text = rule['accepted_values'] ~ ' in (' ~ rule['values'] | join(', ') ~ ')' -%}
    {%- else -%}
        {%- set text = rule['expression'] -%}
    {%- endif -%}
    {%- if rule.get('where') -%}
        {%- set text = text ~ ' where ' ~ rule['where'] -%}
    {%- endif -%}
    {{- text -}}
{%- endmacro %}
