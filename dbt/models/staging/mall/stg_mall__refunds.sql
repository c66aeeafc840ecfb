with

deduplicated as (

    {{ latest_load(source('mall', 'refunds'), partition_by='refund_id') }}

),

renamed as (

    select
        refund_id,
        order_line_id,
        refund_amount,
        refunded_at,
        cast(refunded_at as date) as refunded_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
