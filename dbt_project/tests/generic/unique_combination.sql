{#- The combination of the given columns is unique in the model (the grain of a table),
    e.g. `unique_combination: {arguments: {combination_of_columns: [school_id, year]}}`. -#}
{% test unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
