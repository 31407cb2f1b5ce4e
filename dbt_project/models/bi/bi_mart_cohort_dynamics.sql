{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_cohort_dynamics',
        post_hook="{{ inherit_column_comments(ref('mart_cohort_dynamics')) }}"
    )
}}
{#- mart_cohort_dynamics with Russian labels of subject and dynamics (BI view). -#}
select
    d.*,
    {{ code_label('subject', 'd.subject') }} as subject_ru,
    {{ code_label('dynamics', 'd.dynamics') }} as dynamics_ru
from {{ ref('mart_cohort_dynamics') }} as d
