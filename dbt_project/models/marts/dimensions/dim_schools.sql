{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}

{#- The registry as BI users need it: one row per school and results year, as the
    registry of that year delivered it. Incremental by year like the other marts, so a year whose
    files were blocked keeps the rows it had. -#}
select
    school_id,
    year,
    school_name,
    municipality,
    locality_type,
    levels,
    latitude,
    longitude,
    successor_id,
    is_active
from {{ ref('stg_schools') }}
where {{ years_filter('year') }}
