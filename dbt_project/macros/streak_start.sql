{#- SELECT body (for a CTE) giving, for every row of `relation` where `flag` holds, the first year
    of the run of consecutive calendar years ending at this row's year in which `flag` held for
    the same `keys`: gaps and islands, since within such a run year − row_number is constant.
    A year where the flag is false, or with no row at all, breaks the run. The one home of every
    "N years in a row" rule (criterion 2 in both modes, years on the list). -#}
{% macro streak_start(relation, keys, flag) -%}
    {%- set key_list = keys | join(', ') -%}
    select
        {{ key_list }},
        year,
        min(year) over (partition by {{ key_list }}, island) as streak_from_year

    from (
        select
            {{ key_list }},
            year,
            year - row_number() over (partition by {{ key_list }} order by year) as island

        from {{ relation }}
        where {{ flag }}
    ) as islands
{%- endmacro %}
