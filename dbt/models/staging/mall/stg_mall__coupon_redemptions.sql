with

deduplicated as (

    {{ latest_load(source('mall', 'coupon_redemptions'), partition_by='coupon_id') }}

),

renamed as (

    select
        coupon_id,
        order_id,
        redeemed_at,
        cast(redeemed_at as date) as redeemed_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
