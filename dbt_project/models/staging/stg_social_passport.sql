with

source as (

    select * from {{ source('raw', 'social_passport') }} as source
    where {{ not_quarantined('social_passport') }}

),

renamed as (

    select
        -- keys
        year,
        school_id,

        -- contingent (counts of students)
        try_cast(students_total as integer) as students_total,
        try_cast(low_income as integer) as low_income,
        try_cast(single_parent as integer) as single_parent,
        try_cast(large_family as integer) as large_family,
        try_cast(parents_higher_edu as integer) as parents_higher_edu,
        try_cast(unemployed_parents as integer) as unemployed_parents,
        try_cast(non_native_russian as integer) as non_native_russian,
        try_cast(disabled as integer) as disabled,
        try_cast(registered_at_risk as integer) as registered_at_risk,

        -- conditions
        try_cast(distance_to_center_km as double) as distance_to_center_km,
        try_cast(internet_mbps as double) as internet_mbps,
        try_cast(computers as integer) as computers,

        -- staff
        try_cast(teachers_total as integer) as teachers_total,
        try_cast(teacher_vacancies as integer) as teacher_vacancies,
        try_cast(teachers_trained as integer) as teachers_trained,

        -- lineage
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at

    from source

)

select * from renamed
