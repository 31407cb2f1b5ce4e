{#- Within each group of `partition_by` columns, the closed ranges
    [lower_column, coalesce(upper_column, +∞)] do not overlap, e.g. a seed of per-year
    parameters must give exactly one value for every year. -#}
{% test no_overlapping_ranges(model, partition_by, lower_column, upper_column) %}

with

numbered as (

    select *, row_number() over () as _range_row
    from {{ model }}

)

select a.*
from numbered as a
join numbered as b
    on a._range_row < b._range_row
    {% for column in partition_by -%}
    and a.{{ column }} = b.{{ column }}
    {% endfor -%}
    and a.{{ lower_column }} <= coalesce(b.{{ upper_column }}, 2147483647)
    and b.{{ lower_column }} <= coalesce(a.{{ upper_column }}, 2147483647)

{% endtest %}
