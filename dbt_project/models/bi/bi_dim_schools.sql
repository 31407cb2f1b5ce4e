{{
    config(
        materialized='view',
        schema='bi',
        alias='dim_schools',
        post_hook="{{ inherit_column_comments(ref('dim_schools')) }}"
    )
}}
{#- dim_schools with Russian labels of locality_type and of every level in levels (BI view). -#}
select
    s.*,
    {{ code_label('locality_type', 's.locality_type') }} as locality_type_ru,
    (
        select string_agg(_labels.label_ru, ', ' order by _labels.sort_order)
        from {{ ref('dim_code_labels') }} as _labels
        where _labels.domain = 'level'
            and list_contains(string_split(s.levels, ','), _labels.code)
    ) as levels_ru
from {{ ref('dim_schools') }} as s
