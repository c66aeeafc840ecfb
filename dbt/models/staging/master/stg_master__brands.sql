with

deduplicated as (

    {{ latest_load(source('master', 'brands'), partition_by='brand_id') }}

),

renamed as (

    select
        brand_id,
        brand_code,
        brand_name,
        category as brand_category,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
