{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_list_outcomes',
        post_hook="{{ inherit_column_comments(ref('mart_list_outcomes')) }}"
    )
}}
{#- mart_list_outcomes for BI: the matched comparison schools as text (Superset cannot show
    VARCHAR[]). -#}
select
    o.* replace (
        {{ list_as_text('o.comparison_school_ids') }} as comparison_school_ids
    )
from {{ ref('mart_list_outcomes') }} as o
