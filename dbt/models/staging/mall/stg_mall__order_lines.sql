with

deduplicated as (

    {{ latest_load(source('mall', 'order_lines'), partition_by='order_line_id') }}

),

renamed as (

    select
        order_line_id,
        order_id,
        sku_id,
        quantity,
        unit_price,
        paid_amount,
        created_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
