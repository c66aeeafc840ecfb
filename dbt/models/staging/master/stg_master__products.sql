with

deduplicated as (

    {{ latest_load(source('master', 'products'), partition_by='sku_id') }}

),

renamed as (

    select
        sku_id,
        spu_id,
        brand_id,
        list_price,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
