with

deduplicated as (

    {{ latest_load(source('master', 'guides'), partition_by='guide_id') }}

),

renamed as (

    select
        guide_id,
        guide_code,
        home_store_id,
        brand_id as home_brand_id,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
