with

deduplicated as (

    {{ latest_load(source('mall', 'coupons'), partition_by='coupon_id') }}

),

renamed as (

    select
        coupon_id,
        member_id,
        brand_id,
        source_channel,
        guide_id,
        campaign_id,
        discount_amount,
        claimed_at,
        cast(claimed_at as date) as claimed_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
