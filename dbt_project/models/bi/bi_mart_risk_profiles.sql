{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_risk_profiles',
        post_hook="{{ inherit_column_comments(ref('mart_risk_profiles')) }}"
    )
}}
{#- mart_risk_profiles with the Russian label of locality_type (BI view). -#}
select
    r.*,
    {{ code_label('locality_type', 'r.locality_type') }} as locality_type_ru
from {{ ref('mart_risk_profiles') }} as r
