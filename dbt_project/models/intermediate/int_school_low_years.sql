{#- The one definition of a "low year" and of criterion 2, used by mart_low_results and
    mart_persistence. One row per school × year with at least one row in fct_procedure_results.
    A low year = at least one selection procedure (in_selection) with is_low. The streak
    consecutive_low_years ends at this year and counts consecutive calendar years that are all
    low: a year that is not low, or has no results at all, breaks it (0 when this year is not low).
    meets_persistence (criterion 2) = the streak covers the last persistence_years years. -#}
with

procedure_results as (

    select * from {{ ref('fct_procedure_results') }}

),

school_years as (

    select
        school_id,
        year,
        cast(count(*) filter (where in_selection) as integer) as selection_procedures,
        cast(count(*) filter (where in_selection and is_low) as integer) as low_procedures,
        list(procedure_id order by
            case exam when 'VPR' then 1 when 'OGE' then 2 when 'EGE' then 3 end,
            grade, procedure_id) filter (where in_selection and is_low) as low_procedure_ids,
        string_agg(procedure_name, ', ' order by
            case exam when 'VPR' then 1 when 'OGE' then 2 when 'EGE' then 3 end,
            grade, procedure_id) filter (where in_selection and is_low) as low_procedure_names

    from procedure_results
    group by school_id, year

),

flagged as (

    select
        *,
        low_procedures > 0 as is_low_year

    from school_years

),

-- gaps and islands: within a run of consecutive low years, year - rank is constant
islands as (

    select
        school_id,
        year,
        year - row_number() over (partition by school_id order by year) as island

    from flagged
    where is_low_year

),

streaks as (

    select
        school_id,
        year,
        min(year) over (partition by school_id, island) as streak_from_year

    from islands

),

final as (

    select
        flagged.school_id,
        flagged.year,
        flagged.selection_procedures,
        flagged.low_procedures,
        coalesce(flagged.low_procedure_ids, []) as low_procedure_ids,
        flagged.low_procedure_names,
        flagged.is_low_year,
        streaks.streak_from_year,
        cast(coalesce(flagged.year - streaks.streak_from_year + 1, 0) as integer)
            as consecutive_low_years,
        coalesce(flagged.year - streaks.streak_from_year + 1, 0)
            >= {{ var('persistence_years') }} as meets_persistence

    from flagged
    left join streaks
        on streaks.school_id = flagged.school_id
        and streaks.year = flagged.year

)

select * from final
