{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_school_clusters',
        post_hook="{{ inherit_column_comments(ref('mart_school_clusters')) }}"
    )
}}
{#- mart_school_clusters with Russian labels of result_level, social_status and cluster
    (BI view). -#}
select
    c.*,
    {{ code_label('result_level', 'c.result_level') }} as result_level_ru,
    {{ code_label('social_status', 'c.social_status') }} as social_status_ru,
    {{ code_label('cluster', 'c.cluster') }} as cluster_ru
from {{ ref('mart_school_clusters') }} as c
