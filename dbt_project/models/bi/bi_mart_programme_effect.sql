{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_programme_effect',
        post_hook="{{ inherit_column_comments(ref('mart_programme_effect')) }}"
    )
}}
{#- mart_programme_effect with the Russian labels of group and verdict (BI view). -#}
select
    e.*,
    {{ code_label('group', 'e."group"') }} as group_ru,
    {{ code_label('verdict', 'e.verdict') }} as verdict_ru
from {{ ref('mart_programme_effect') }} as e
