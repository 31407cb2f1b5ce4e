{#- Every row satisfies the SQL expression (rows where it is false are returned; null counts as
    true, combine with not_null where needed), e.g. `expression: "failed <= participants"`. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), true)

{% endtest %}
