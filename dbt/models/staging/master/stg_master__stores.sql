with

deduplicated as (

    {{ latest_load(source('master', 'stores'), partition_by='store_id') }}

),

renamed as (

    select
        store_id,
        brand_id,
        store_name,
        city,
        region,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
