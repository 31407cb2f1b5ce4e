{{
    config(
        materialized='view',
        schema='bi',
        alias='mart_school_benchmark',
        post_hook="{{ inherit_column_comments(ref('mart_school_benchmark')) }}"
    )
}}
{#- mart_school_benchmark with the Russian label of benchmark_level (BI view). -#}
select
    b.*,
    {{ code_label('benchmark_level', 'b.benchmark_level') }} as benchmark_level_ru
from {{ ref('mart_school_benchmark') }} as b
