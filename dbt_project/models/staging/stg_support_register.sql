with

source as (

    select * from {{ source('raw', 'support_register') }} as source
    where {{ not_quarantined('support_register') }}

),

renamed as (

    select
        -- keys
        year,
        school_id,

        -- the region's decision
        decision,
        reason,
        decided_by,

        -- the signed agreement
        partner_id,
        try_cast(agreement_date as date) as agreement_date,

        -- lineage
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at

    from source

)

select * from renamed
