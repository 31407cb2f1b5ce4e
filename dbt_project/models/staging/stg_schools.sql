with

source as (

    select * from {{ source('raw', 'schools') }}

),

renamed as (

    select
        -- keys
        year,
        school_id,

        -- attributes
        school_name,
        municipality,
        locality_type,
        levels,
        try_cast(latitude as double) as latitude,
        try_cast(longitude as double) as longitude,
        successor_id,
        successor_id is null as is_active,

        -- lineage
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at

    from source

)

select * from renamed
