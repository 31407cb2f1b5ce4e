{#- The Russian label of a coded value, from the one home of labels (seed code_labels, exposed as
    marts.dim_code_labels): a scalar subquery, so a view adds a label column without a join per
    domain in its FROM clause. An unknown code gives null (the seed test says every code is known). -#}
{% macro code_label(domain, column) -%}
    (select _labels.label_ru from {{ ref('dim_code_labels') }} as _labels
     where _labels.domain = '{{ domain }}' and _labels.code = {{ column }})
{%- endmacro %}

{#- Text form of a VARCHAR[] column for BI tools that cannot show lists (Superset sees UNKNOWN). -#}
{% macro list_as_text(column) -%}
    array_to_string({{ column }}, ', ')
{%- endmacro %}

{#- post_hook of the bi views: each column the view takes unchanged from its mart keeps the mart's
    Russian comment (dbt's persist_docs writes only the columns the view's YAML lists: the labels). -#}
{% macro inherit_column_comments(base_relation) -%}
    {%- if execute -%}
        {%- set rows = run_query(
            "select c.column_name, c.comment from duckdb_columns() as c where c.schema_name = '"
            ~ base_relation.schema ~ "' and c.table_name = '" ~ base_relation.identifier
            ~ "' and c.comment is not null and c.database_name = current_database()"
            ~ " and c.column_name in (select column_name from duckdb_columns() where schema_name = '"
            ~ this.schema ~ "' and table_name = '" ~ this.identifier
            ~ "' and database_name = current_database() and comment is null)") -%}
        {%- for row in rows -%}
            comment on column {{ this }}."{{ row[0] }}" is '{{ row[1] | replace("'", "''") }}';
        {% endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
