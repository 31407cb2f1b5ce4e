{{
    config(
        materialized='view',
        schema='public',
        alias='low_results'
    )
}}

{#- The public edition of the year's lists (docs/methodology.md, «Публичная версия»): per school ×
    year the preliminary list (mart_low_results), the region's final list and partner
    (mart_support_list) and the cluster (mart_school_clusters). These are decisions about schools,
    not figures about pupils, so they stay visible; the reasons name procedures and years, never a
    share. The region's own free-text reason for a decision is left out: it may quote figures. -#}

with

lists as (

    select
        school_id,
        year,
        school_name,
        municipality,
        is_active,
        on_initial_list,
        reasons,
        rule_set,
        list_confidence,
        list_status,
        years_on_list,
        support_stage
    from {{ ref('mart_low_results') }}

),

decisions as (

    select
        school_id,
        year,
        in_final_list,
        decision,
        partner_id
    from {{ ref('mart_support_list') }}

),

clusters as (

    select
        school_id,
        year,
        cluster,
        social_status
    from {{ ref('mart_school_clusters') }}

),

schools as (

    select
        school_id,
        year,
        school_name
    from {{ ref('dim_schools') }}

)

select
    lists.school_id,
    lists.year,
    lists.school_name,
    lists.municipality,
    lists.is_active,
    lists.on_initial_list,
    lists.reasons,
    lists.rule_set,
    lists.list_confidence,
    {{ code_label('list_confidence', 'lists.list_confidence') }} as list_confidence_ru,
    lists.list_status,
    {{ code_label('list_status', 'lists.list_status') }} as list_status_ru,
    lists.years_on_list,
    lists.support_stage,
    {{ code_label('support_stage', 'lists.support_stage') }} as support_stage_ru,
    coalesce(decisions.in_final_list, false) as in_final_list,
    decisions.decision,
    {{ code_label('decision', 'decisions.decision') }} as decision_ru,
    decisions.partner_id,
    partners.school_name as partner_name,
    clusters.cluster,
    {{ code_label('cluster', 'clusters.cluster') }} as cluster_ru,
    clusters.social_status,
    {{ code_label('social_status', 'clusters.social_status') }} as social_status_ru
from lists
left join decisions
    on decisions.school_id = lists.school_id
    and decisions.year = lists.year
left join clusters
    on clusters.school_id = lists.school_id
    and clusters.year = lists.year
left join schools as partners
    on partners.school_id = decisions.partner_id
    and partners.year = lists.year
