{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='year',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rebuilt_years('year') }}"
    )
}}
{#- Project indicators per year (SPEC §4). Definitions (see the column docs):
    share_students_low      Σ students_total of the schools on the initial list / Σ students_total
                            of all schools with a passport (share of pupils who study in a ШНОР);
    gia_pass_share_on_list  share of OGE/EGE results (main period, current-year graduates, one per
                            participant × exam) of listed schools at or above the minimum;
    share_teachers_trained  Σ teachers_trained / Σ teachers_total over all passports;
    share_positive_dynamics share of VPR cohort steps ending in the year that are positive, among
                            those with a dynamics value;
    SPEC §3a: schools_new_on_list / schools_left_list (list_status new / left),
    schools_borderline (list_confidence borderline), schools_objectivity_doubtful. -#}
with years as (
    select
        year,
        count(distinct school_id) as schools_total
    from {{ ref('stg_schools') }}
    where {{ years_filter('year') }}
    group by year
),

listed as (
    select
        school_id,
        year
    from {{ ref('mart_low_results') }}
    where on_initial_list and {{ years_filter('year') }}
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
        count(*) filter (where list_confidence = 'borderline') as schools_borderline
    from {{ ref('mart_low_results') }}
    where {{ years_filter('year') }}
    group by year
),

objectivity as (
    select
        year,
        count(*) filter (where objectivity_doubtful) as schools_objectivity_doubtful
    from {{ ref('mart_vpr_objectivity') }}
    where {{ years_filter('year') }}
    group by year
),

passport as (
    select
        p.year,
        sum(p.students_total) as students_total,
        sum(case when l.school_id is not null then p.students_total else 0 end) as students_on_list,
        sum(p.teachers_trained) as teachers_trained,
        sum(p.teachers_total) as teachers_total
    from {{ ref('stg_social_passport') }} as p
    left join listed as l
        on l.school_id = p.school_id and l.year = p.year
    where {{ years_filter('p.year') }}
    group by p.year
),

gia as (
    select
        f.year,
        sum(f.participants) as participants,
        sum(f.participants - f.failed) as passed
    from {{ ref('fct_procedure_results') }} as f
    inner join listed as l
        on l.school_id = f.school_id and l.year = f.year
    where f.exam in ('OGE', 'EGE') and {{ years_filter('f.year') }}
    group by f.year
),

selection as (
    select
        year,
        sum(participants) as participants,
        sum(failed) as failed
    from {{ ref('fct_procedure_results') }}
    where in_selection and {{ years_filter('year') }}
    group by year
),

dynamics as (
    select
        to_year as year,
        count(*) filter (where dynamics = 'positive') as positive_steps,
        count(dynamics) as steps
    from {{ ref('mart_cohort_dynamics') }}
    where {{ years_filter('to_year') }}
    group by to_year
),

clusters as (
    select
        year,
        count(*) filter (where cluster = 'resilient') as schools_resilient,
        count(*) filter (where cluster = 'at_risk') as schools_at_risk,
        count(*) filter (where cluster = 'crisis') as schools_crisis,
        count(*) filter (where social_status = 'unfavourable') as schools_unfavourable
    from {{ ref('mart_school_clusters') }}
    where {{ years_filter('year') }}
    group by year
),

partners as (
    select
        year,
        count(distinct school_id) as schools_with_partner
    from {{ ref('mart_partner_matches') }}
    where partner_id is not null and {{ years_filter('year') }}
    group by year
)

select
    y.year,
    cast(y.schools_total as integer) as schools_total,
    cast(coalesce(lc.schools_on_list, 0) as integer) as schools_on_list,
    cast(p.students_on_list / nullif(p.students_total, 0) as double) as share_students_low,
    cast(g.passed / nullif(g.participants, 0) as double) as gia_pass_share_on_list,
    cast(p.teachers_trained / nullif(p.teachers_total, 0) as double) as share_teachers_trained,
    cast(d.positive_steps / nullif(d.steps, 0) as double) as share_positive_dynamics,
    cast(s.failed / nullif(s.participants, 0) as double) as share_selection_failed,
    cast(coalesce(c.schools_resilient, 0) as integer) as schools_resilient,
    cast(coalesce(c.schools_at_risk, 0) as integer) as schools_at_risk,
    cast(coalesce(c.schools_crisis, 0) as integer) as schools_crisis,
    cast(coalesce(c.schools_unfavourable, 0) as integer) as schools_unfavourable,
    cast(coalesce(pa.schools_with_partner, 0) as integer) as schools_with_partner,
    cast(coalesce(list_movement.schools_new_on_list, 0) as integer) as schools_new_on_list,
    cast(coalesce(list_movement.schools_left_list, 0) as integer) as schools_left_list,
    cast(coalesce(list_movement.schools_borderline, 0) as integer) as schools_borderline,
    cast(coalesce(objectivity.schools_objectivity_doubtful, 0) as integer)
        as schools_objectivity_doubtful
from years as y
left join list_counts as lc on lc.year = y.year
left join passport as p on p.year = y.year
left join gia as g on g.year = y.year
left join selection as s on s.year = y.year
left join dynamics as d on d.year = y.year
left join clusters as c on c.year = y.year
left join partners as pa on pa.year = y.year
left join list_movement on list_movement.year = y.year
left join objectivity on objectivity.year = y.year
