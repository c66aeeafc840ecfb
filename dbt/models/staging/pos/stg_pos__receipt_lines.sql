with

deduplicated as (

    {{ latest_load(source('pos', 'receipt_lines'), partition_by='receipt_line_id') }}

),

renamed as (

    select
        receipt_line_id,
        receipt_id,
        sku_id,
        quantity,
        paid_amount,
        sold_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
