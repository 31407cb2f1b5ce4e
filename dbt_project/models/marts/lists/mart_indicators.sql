{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Project indicators per year (docs/methodology.md, «Показатели проекта»). Definitions:
    share_students_low      Σ students_total of the schools on the initial list / Σ students_total
                            of all schools with a passport (share of pupils who study in a ШНОР);
    gia_pass_share_on_list  share of OGE/EGE results (main period, current-year graduates, one per
                            participant × exam) of listed schools at or above the minimum;
    share_teachers_trained  Σ teachers_trained / Σ teachers_total over all passports;
    share_positive_dynamics share of VPR cohort steps ending in the year that are positive, among
                            those with a dynamics value;
    decision support («Поддержка решений»): schools_new_on_list / schools_left_list (list_status
    new / left), schools_borderline (list_confidence borderline), schools_objectivity_doubtful;
    support outcomes: schools_exited / schools_escalate (support_stage exited / escalate);
    the schools taking part («Решения региона»), over the year's final list:
    final_list_schools; participating_low_share Σ failed / Σ participants over their selection
    procedures that are not small-n; participating_gia_pass_share the success share over their
    OGE and EGE selection procedures that are not small-n; participating_teachers_trained_share
    Σ teachers_trained / Σ teachers_total over their passports. -#}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}

),

low_results as (

    select * from {{ ref('mart_low_results') }}
    where {{ years_filter('year') }}

),

vpr_objectivity as (

    select * from {{ ref('mart_vpr_objectivity') }}
    where {{ years_filter('year') }}

),

social_passport as (

    select * from {{ ref('stg_social_passport') }}
    where {{ years_filter('year') }}

),

procedure_results as (

    select * from {{ ref('fct_procedure_results') }}
    where {{ years_filter('year') }}

),

cohort_dynamics as (

    select * from {{ ref('mart_cohort_dynamics') }}
    where {{ years_filter('to_year') }}

),

school_clusters as (

    select * from {{ ref('mart_school_clusters') }}
    where {{ years_filter('year') }}

),

partner_matches as (

    select * from {{ ref('mart_partner_matches') }}
    where {{ years_filter('year') }}

),

support_list as (

    select * from {{ ref('mart_support_list') }}
    where {{ years_filter('year') }}

),

participating as (

    select
        school_id,
        year

    from support_list
    where in_final_list

),

participating_counts as (

    select
        year,
        count(distinct school_id) as final_list_schools

    from participating
    group by year

),

participating_results as (

    select
        procedure_results.year,
        sum(procedure_results.participants) as participants,
        sum(procedure_results.failed) as failed,
        sum(procedure_results.participants) filter (
            where procedure_results.exam in ('OGE', 'EGE')
        ) as gia_participants,
        sum(procedure_results.failed) filter (
            where procedure_results.exam in ('OGE', 'EGE')
        ) as gia_failed

    from procedure_results
    inner join participating
        on participating.school_id = procedure_results.school_id
        and participating.year = procedure_results.year
    where procedure_results.in_selection and not procedure_results.small_n
    group by procedure_results.year

),

participating_passports as (

    select
        social_passport.year,
        sum(social_passport.teachers_trained) as teachers_trained,
        sum(social_passport.teachers_total) as teachers_total

    from social_passport
    inner join participating
        on participating.school_id = social_passport.school_id
        and participating.year = social_passport.year
    group by social_passport.year

),

school_counts as (

    select
        year,
        count(distinct school_id) as schools_total

    from schools
    group by year

),

listed as (

    select
        school_id,
        year

    from low_results
    where on_initial_list

),

list_counts as (

    select
        year,
        count(distinct school_id) as schools_on_list

    from listed
    group by year

),

list_movement as (

    select
        year,
        count(*) filter (where list_status = 'new') as schools_new_on_list,
        count(*) filter (where list_status = 'left') as schools_left_list,
        count(*) filter (where list_confidence = 'borderline') as schools_borderline,
        count(*) filter (where support_stage = 'exited') as schools_exited,
        count(*) filter (where support_stage = 'escalate') as schools_escalate

    from low_results
    group by year

),

objectivity as (

    select
        year,
        count(*) filter (where objectivity_doubtful) as schools_objectivity_doubtful

    from vpr_objectivity
    group by year

),

passport_totals as (

    select
        social_passport.year,
        sum(social_passport.students_total) as students_total,
        sum(
            case when listed.school_id is not null then social_passport.students_total else 0 end
        ) as students_on_list,
        sum(social_passport.teachers_trained) as teachers_trained,
        sum(social_passport.teachers_total) as teachers_total

    from social_passport
    left join listed
        on listed.school_id = social_passport.school_id
        and listed.year = social_passport.year
    group by social_passport.year

),

gia_on_list as (

    select
        procedure_results.year,
        sum(procedure_results.participants) as participants,
        sum(procedure_results.participants - procedure_results.failed) as passed

    from procedure_results
    inner join listed
        on listed.school_id = procedure_results.school_id
        and listed.year = procedure_results.year
    where procedure_results.exam in ('OGE', 'EGE')
    group by procedure_results.year

),

selection_totals as (

    select
        year,
        sum(participants) as participants,
        sum(failed) as failed

    from procedure_results
    where in_selection
    group by year

),

dynamics as (

    select
        to_year as year,
        count(*) filter (where dynamics = 'positive') as positive_steps,
        count(dynamics) as steps

    from cohort_dynamics
    group by to_year

),

cluster_counts as (

    select
        year,
        count(*) filter (where cluster = 'resilient') as schools_resilient,
        count(*) filter (where cluster = 'at_risk') as schools_at_risk,
        count(*) filter (where cluster = 'crisis') as schools_crisis,
        count(*) filter (where social_status = 'unfavourable') as schools_unfavourable

    from school_clusters
    group by year

),

partners as (

    select
        year,
        count(distinct school_id) as schools_with_partner

    from partner_matches
    where partner_id is not null
    group by year

),

final as (

    select
        school_counts.year,
        cast(school_counts.schools_total as integer) as schools_total,
        cast(coalesce(list_counts.schools_on_list, 0) as integer) as schools_on_list,
        cast(
            passport_totals.students_on_list / nullif(passport_totals.students_total, 0) as double
        ) as share_students_low,
        cast(
            gia_on_list.passed / nullif(gia_on_list.participants, 0) as double
        ) as gia_pass_share_on_list,
        cast(
            passport_totals.teachers_trained / nullif(passport_totals.teachers_total, 0) as double
        ) as share_teachers_trained,
        cast(
            dynamics.positive_steps / nullif(dynamics.steps, 0) as double
        ) as share_positive_dynamics,
        cast(
            selection_totals.failed / nullif(selection_totals.participants, 0) as double
        ) as share_selection_failed,
        cast(coalesce(cluster_counts.schools_resilient, 0) as integer) as schools_resilient,
        cast(coalesce(cluster_counts.schools_at_risk, 0) as integer) as schools_at_risk,
        cast(coalesce(cluster_counts.schools_crisis, 0) as integer) as schools_crisis,
        cast(coalesce(cluster_counts.schools_unfavourable, 0) as integer) as schools_unfavourable,
        cast(coalesce(partners.schools_with_partner, 0) as integer) as schools_with_partner,
        cast(coalesce(list_movement.schools_new_on_list, 0) as integer) as schools_new_on_list,
        cast(coalesce(list_movement.schools_left_list, 0) as integer) as schools_left_list,
        cast(coalesce(list_movement.schools_borderline, 0) as integer) as schools_borderline,
        cast(coalesce(objectivity.schools_objectivity_doubtful, 0) as integer)
            as schools_objectivity_doubtful,
        cast(coalesce(list_movement.schools_exited, 0) as integer) as schools_exited,
        cast(coalesce(list_movement.schools_escalate, 0) as integer) as schools_escalate,
        cast(coalesce(participating_counts.final_list_schools, 0) as integer)
            as final_list_schools,
        cast(
            participating_results.failed / nullif(participating_results.participants, 0)
            as double
        ) as participating_low_share,
        cast(
            (participating_results.gia_participants - participating_results.gia_failed)
            / nullif(participating_results.gia_participants, 0) as double
        ) as participating_gia_pass_share,
        cast(
            participating_passports.teachers_trained
            / nullif(participating_passports.teachers_total, 0) as double
        ) as participating_teachers_trained_share

    from school_counts
    left join list_counts on list_counts.year = school_counts.year
    left join passport_totals on passport_totals.year = school_counts.year
    left join gia_on_list on gia_on_list.year = school_counts.year
    left join selection_totals on selection_totals.year = school_counts.year
    left join dynamics on dynamics.year = school_counts.year
    left join cluster_counts on cluster_counts.year = school_counts.year
    left join partners on partners.year = school_counts.year
    left join list_movement on list_movement.year = school_counts.year
    left join objectivity on objectivity.year = school_counts.year
    left join participating_counts on participating_counts.year = school_counts.year
    left join participating_results on participating_results.year = school_counts.year
    left join participating_passports on participating_passports.year = school_counts.year

)

select * from final
