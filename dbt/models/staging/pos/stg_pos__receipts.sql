with

deduplicated as (

    {{ latest_load(source('pos', 'receipts'), partition_by='receipt_id') }}

),

renamed as (

    select
        receipt_id,
        store_id,
        guide_id,
        member_card_no,
        sold_at,
        cast(sold_at as date) as sold_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
