with

deduplicated as (

    {{ latest_load(source('master', 'ad_campaigns'), partition_by='campaign_id') }}

),

renamed as (

    select
        platform,
        campaign_id,
        campaign_name,
        brand_id,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
