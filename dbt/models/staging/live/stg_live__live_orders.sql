with

deduplicated as (

    {{ latest_load(source('live', 'live_orders'), partition_by='live_order_id') }}

),

renamed as (

    select
        live_order_id,
        session_id,
        member_id,
        sku_id,
        quantity,
        paid_amount,
        paid_at,
        cast(paid_at as date) as paid_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
