with

source as (

    select * from {{ source('mall', 'members') }}

),

deduplicated as (

    select
        source.*,
        row_number() over (
            partition by member_id
            order by updated_at desc, _loaded_at desc, _batch_id desc
        ) as load_rank
    from source

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
    -- "<= 1" rather than "= 1": the same rows, but PostgreSQL then estimates the
    -- filter sanely instead of expecting 0.5% of them (and nesting loops downstream).
    where load_rank <= 1

)

select * from renamed
