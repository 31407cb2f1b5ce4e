{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_isbsh',
        post_hook="{{ inherit_column_comments(ref('mart_isbsh')) }}"
    )
}}
{#- mart_isbsh with Russian labels of social_status and weights_method (BI view). -#}
select
    i.*,
    {{ code_label('social_status', 'i.social_status') }} as social_status_ru,
    {{ code_label('weights_method', 'i.weights_method') }} as weights_method_ru
from {{ ref('mart_isbsh') }} as i
