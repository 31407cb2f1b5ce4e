with

source as (

    select * from {{ source('raw', 'gia_results') }} as source
    where {{ not_quarantined('gia_results') }}

),

renamed as (

    select
        -- keys
        year,
        participant_id,
        school_id,
        exam,
        subject,
        attempt,
        category,

        -- results
        try_cast(score as integer) as score,
        try_cast(mark as integer) as mark,

        -- lineage
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at

    from source

)

select * from renamed
