with

source as (

    select * from {{ source('raw', 'vpr_results') }} as source
    where {{ not_quarantined('vpr_results') }}

),

renamed as (

    select
        -- keys
        year,
        school_id,
        try_cast(grade as integer) as grade,
        subject,

        -- counts
        try_cast(participants as integer) as participants,
        try_cast(mark_2 as integer) as mark_2,
        try_cast(mark_3 as integer) as mark_3,
        try_cast(mark_4 as integer) as mark_4,
        try_cast(mark_5 as integer) as mark_5,

        -- lineage
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at

    from source

)

select * from renamed
