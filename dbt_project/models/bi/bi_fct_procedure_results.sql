{{
    config(
        materialized='view',
        schema='bi',
        alias='fct_procedure_results',
        post_hook="{{ inherit_column_comments(ref('fct_procedure_results')) }}"
    )
}}
{#- fct_procedure_results with Russian labels of exam and subject (BI view). -#}
select
    f.*,
    {{ code_label('exam', 'f.exam') }} as exam_ru,
    {{ code_label('subject', 'f.subject') }} as subject_ru
from {{ ref('fct_procedure_results') }} as f
