{{
    config(
        materialized='view',
        schema='public',
        alias='schools'
    )
}}

{#- The public edition of dim_schools (docs/methodology.md, «Публичная версия»): the registry's
    facts about each school and year, which are public anyway; no figure about pupils. -#}

select
    school_id,
    year,
    school_name,
    municipality,
    locality_type,
    {{ code_label('locality_type', 'locality_type') }} as locality_type_ru,
    levels,
    latitude,
    longitude,
    successor_id,
    is_active
from {{ ref('dim_schools') }}
