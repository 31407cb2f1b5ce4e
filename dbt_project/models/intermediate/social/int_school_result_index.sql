{#- Result index (ИОР; docs/methodology.md, «Методика и параметры»): per school × year the
    participant-weighted success share over the selection procedures that are not small-n, its
    percent_rank among the year's schools that have one, and the result level. Every school of
    the registry appears; the index is null for a school without any such procedure. This region-wide index is the one the ISBSh weights are fitted on;
    with result_level_scope = social_status the clusters and partners rank within each social
    status group instead (mart_school_clusters, docs/methodology.md). -#}

with

schools as (

    select * from {{ ref('stg_schools') }}

),

procedure_results as (

    select * from {{ ref('fct_procedure_results') }}

),

selection_totals as (

    select
        school_id,
        year,
        count(*) as selection_procedures,
        sum(participants) as selection_participants,
        sum(participants - failed) as selection_passed

    from procedure_results
    where in_selection and not small_n
    group by school_id, year

),

shares as (

    select
        schools.school_id,
        schools.year,
        coalesce(selection_totals.selection_procedures, 0) as selection_procedures,
        coalesce(selection_totals.selection_participants, 0) as selection_participants,
        coalesce(selection_totals.selection_passed, 0) as selection_passed,
        selection_totals.selection_passed
        / nullif(selection_totals.selection_participants, 0) as success_share

    from schools
    left join selection_totals
        on selection_totals.school_id = schools.school_id
        and selection_totals.year = schools.year

),

ranked as (

    select
        *,
        case
            when success_share is not null
                then percent_rank() over (
                        partition by year, success_share is null order by success_share
                    )
        end as result_index

    from shares

),

final as (

    select
        school_id,
        year,
        cast(selection_procedures as integer) as selection_procedures,
        cast(selection_participants as integer) as selection_participants,
        cast(selection_passed as integer) as selection_passed,
        cast(success_share as double) as success_share,
        cast(result_index as double) as result_index,
        {{ result_level('result_index') }} as result_level

    from ranked

)

select * from final
