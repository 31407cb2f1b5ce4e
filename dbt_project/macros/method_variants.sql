{#- The regional variants of the method (docs/methodology.md, «Варианты методики и пресеты»). -#}

{#- Result level of a result index: the one spelling of the rule, for the region-wide index
    (int_school_result_index) and the index within a social status group (mart_school_clusters). -#}
{% macro result_level(index) -%}
    case
        when {{ index }} is null then null
        when {{ index }} >= {{ exact_param('result_level_high') }} then 'high'
        when {{ index }} < {{ exact_param('result_level_low') }} then 'low'
        else 'medium'
    end
{%- endmacro %}

{#- Whether a procedure is in the selection: seed procedures.in_selection, or the list of var
    selection_procedures when a preset gives one. -#}
{% macro in_selection(procedures) -%}
    {%- set chosen = var('selection_procedures') -%}
    {#- a string is sqlfluff's stand-in for var(); parameters.py refuses one in a run -#}
    {%- if chosen is none or chosen is string -%}
        {{ procedures }}.in_selection
    {%- else -%}
        {{ procedures }}.procedure_id in (
            {%- for procedure in chosen %}'{{ procedure }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{#- The fixed ISBSh weights as rows (feature, weight, mean, sd): the seed isbsh_weights, or the
    rows of var isbsh_fixed_weights when a preset gives them (isbsh_weights_fitted.py reads the
    same two sources). Numbers go through text, so a value written by calibrate-isbsh is read back
    as the very same double. -#}
{% macro isbsh_given_weights() -%}
    {%- set given = var('isbsh_fixed_weights') -%}
    {%- if given is none or given is string -%}
        (select feature, weight, mean, sd from {{ ref('isbsh_weights') }})
    {%- else -%}
        (select * from (values
            {%- for row in given %}
            (
                '{{ row["feature"] }}',
                cast('{{ row["weight"] }}' as double),
                cast({{ "'" ~ row["mean"] ~ "'" if row.get("mean") is not none else "null" }} as double),
                cast({{ "'" ~ row["sd"] ~ "'" if row.get("sd") is not none else "null" }} as double)
            ){{ ',' if not loop.last }}
            {%- endfor %}
        ) as given_weights (feature, weight, mean, sd))
    {%- endif -%}
{%- endmacro %}
