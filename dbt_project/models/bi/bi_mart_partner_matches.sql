{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_partner_matches',
        post_hook="{{ inherit_column_comments(ref('mart_partner_matches')) }}"
    )
}}
{#- mart_partner_matches with the Russian label of match_type (BI view). -#}
select
    m.*,
    {{ code_label('match_type', 'm.match_type') }} as match_type_ru
from {{ ref('mart_partner_matches') }} as m
