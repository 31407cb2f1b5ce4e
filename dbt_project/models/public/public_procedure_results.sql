{{
    config(
        materialized='view',
        schema='public',
        alias='procedure_results'
    )
}}

{#- The public edition of fct_procedure_results (docs/methodology.md, «Публичная версия»): each
    figure as mart_disclosure_control allows — hidden figures null with <column>_suppressed true,
    extreme shares of small groups coded in low_share_coded. -#}

with

results as (

    select
        school_id,
        year,
        procedure_id,
        procedure_name,
        exam,
        subject,
        grade,
        in_selection,
        is_low,
        participants,
        failed,
        low_share,
        low_share_ci_lower,
        low_share_ci_upper
    from {{ ref('fct_procedure_results') }}

),

disclosure as (

    select
        school_id,
        year,
        procedure_id,
        hide_participants,
        hide_figures,
        share_code
    from {{ ref('mart_disclosure_control') }}

)

select
    results.school_id,
    results.year,
    results.procedure_id,
    results.procedure_name,
    results.exam,
    results.subject,
    results.grade,
    results.in_selection,
    results.is_low,
    case when not disclosure.hide_participants then results.participants end as participants,
    disclosure.hide_participants as participants_suppressed,
    case when not disclosure.hide_figures then results.failed end as failed,
    disclosure.hide_figures as failed_suppressed,
    case when not disclosure.hide_figures then results.low_share end as low_share,
    disclosure.hide_figures as low_share_suppressed,
    disclosure.share_code as low_share_coded,
    case when not disclosure.hide_figures then results.low_share_ci_lower end as low_share_ci_lower,
    disclosure.hide_figures as low_share_ci_lower_suppressed,
    case when not disclosure.hide_figures then results.low_share_ci_upper end as low_share_ci_upper,
    disclosure.hide_figures as low_share_ci_upper_suppressed
from results
inner join disclosure
    on disclosure.school_id = results.school_id
    and disclosure.year = results.year
    and disclosure.procedure_id = results.procedure_id
