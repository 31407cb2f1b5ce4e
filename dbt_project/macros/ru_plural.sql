{#- Russian plural form of a noun after the integer SQL expression `n`:
    `one` (1, 21, 31 …), `few` (2–4, 22–24 …) or `many` (0, 5–20, 25 …), e.g.
    ru_plural('n', 'год', 'года', 'лет'). Used in the plain-text reasons for officials. -#}
{% macro ru_plural(n, one, few, many) -%}
    case
        when ({{ n }}) % 10 = 1 and ({{ n }}) % 100 <> 11 then '{{ one }}'
        when ({{ n }}) % 10 between 2 and 4 and ({{ n }}) % 100 not between 12 and 14 then '{{ few }}'
        else '{{ many }}'
    end
{%- endmacro %}
