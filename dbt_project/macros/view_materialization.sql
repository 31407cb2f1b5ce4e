{#- Views (staging, intermediate, bi, public): `create or replace view` with its Russian comments
    in one statement batch, inside the model's transaction. dbt's default view materialization
    creates a temporary view, renames the old one aside, renames the new one in, reads the columns
    twice for the comments and drops the old one: twelve statements a view, 27 views a run. DuckDB
    replaces a view atomically, so readers see the old view or the new, never none.
    Every column the model's YAML documents must exist in the view (the default skipped unknown
    ones silently; here DuckDB refuses the comment and the model fails, naming the column). -#}
{%- materialization view, adapter='duckdb' -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set existing_relation = load_cached_relation(this) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none and not existing_relation.is_view %}
        {{ drop_relation_if_exists(existing_relation) }}
    {%- endif %}

    {% call statement('main') -%}
        {%- if config.get('contract').enforced %}
            {{ get_assert_columns_equivalent(sql) }}
        {%- endif %}
        create or replace view {{ target_relation }} as (
            {{ sql }}
        );
        {{ view_comments(target_relation, model) }}
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization -%}


{#- The comments persist_docs would write: the view's description and its documented columns'. -#}
{% macro view_comments(relation, model) -%}
    {%- set persist = config.get('persist_docs') or {} -%}
    {%- if persist.get('relation') and model.description %}
        comment on view {{ relation }} is {{ duckdb_escape_comment(model.description) }};
    {%- endif %}
    {%- if persist.get('columns') %}
        {%- for name, column in model.columns.items() if column.description %}
        comment on column {{ relation }}.{{ adapter.quote(name) }} is {{ duckdb_escape_comment(column.description) }};
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
