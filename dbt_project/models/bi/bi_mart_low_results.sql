{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_low_results',
        post_hook="{{ inherit_column_comments(ref('mart_low_results')) }}"
    )
}}
{#- mart_low_results for BI: the procedure lists as text (Superset cannot show VARCHAR[]) and
    Russian labels of list_confidence, list_status and support_stage. -#}
select
    l.* replace (
        {{ list_as_text('l.low_procedure_ids') }} as low_procedure_ids,
        {{ list_as_text('l.criterion_2_procedures') }} as criterion_2_procedures
    ),
    {{ code_label('list_confidence', 'l.list_confidence') }} as list_confidence_ru,
    {{ code_label('list_status', 'l.list_status') }} as list_status_ru,
    {{ code_label('support_stage', 'l.support_stage') }} as support_stage_ru
from {{ ref('mart_low_results') }} as l
