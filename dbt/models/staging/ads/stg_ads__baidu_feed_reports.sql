with

deduplicated as (

    {{ latest_load(source('ads', 'baidu_feed_reports'), partition_by='campaign_id, date') }}

),

renamed as (

    select
        date as report_date,
        campaign_id,
        campaign_name,
        impression as impressions,
        click as clicks,
        conversion as follows,
        cost as spend,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
