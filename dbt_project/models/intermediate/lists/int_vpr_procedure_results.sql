{#- VPR results of a school × year × grade × subject as procedure counts: failed = mark «2». -#}
with

vpr as (

    select * from {{ ref('stg_vpr_results') }}

),

procedure_counts as (

    select
        school_id,
        year,
        'VPR' as exam,
        subject,
        grade,
        participants,
        mark_2 as failed,
        cast(null as integer) as excluded_participants

    from vpr

)

select * from procedure_counts
