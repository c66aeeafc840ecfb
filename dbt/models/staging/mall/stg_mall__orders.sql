with

deduplicated as (

    {{ latest_load(
        source('mall', 'orders'),
        partition_by='order_id',
        order_by='updated_at desc, _loaded_at desc, _batch_id desc, _source_line desc'
    ) }}

),

renamed as (

    select
        order_id,
        member_id,
        brand_id,
        share_guide_id,
        community_group_id,
        status as order_status,
        created_at,
        paid_at,
        cast(paid_at as date) as paid_date,
        updated_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
