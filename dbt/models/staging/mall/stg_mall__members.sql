with

deduplicated as (

    {{ latest_load(
        source('mall', 'members'),
        partition_by='member_id',
        order_by='updated_at desc, _loaded_at desc, _batch_id desc, _source_line desc'
    ) }}

),

renamed as (

    select
        member_id,
        union_id,
        openid,
        {{ hash_pii(normalize_phone("phone")) }} as phone_hash,
        {{ mask_phone(normalize_phone("phone")) }} as phone_masked,
        card_no,
        register_brand_id,
        register_store_id,
        registered_at,
        cast(registered_at as date) as registered_date,
        updated_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
