{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_support_list',
        post_hook="{{ inherit_column_comments(ref('mart_support_list')) }}"
    )
}}
{#- mart_support_list with the Russian labels of decision and partner_source (BI view). -#}
select
    s.*,
    {{ code_label('decision', 's.decision') }} as decision_ru,
    {{ code_label('partner_source', 's.partner_source') }} as partner_source_ru
from {{ ref('mart_support_list') }} as s
