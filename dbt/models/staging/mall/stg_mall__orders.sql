with

source as (

    select * from {{ source('mall', 'orders') }}

),

deduplicated as (

    select
        source.*,
        row_number() over (
            partition by order_id
            order by updated_at desc, _loaded_at desc, _batch_id desc
        ) as load_rank
    from source

),

renamed as (

    select
        order_id,
        member_id,
        brand_id,
        share_guide_id,
        status as order_status,
        created_at,
        paid_at,
        cast(paid_at as date) as paid_date,
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
