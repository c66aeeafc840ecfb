with

source as (

    select * from {{ source('ads', 'campaign_daily_reports') }}

),

deduplicated as (

    {{ latest_load('source', partition_by='platform, campaign_id, report_date') }}

),

renamed as (

    select
        platform,
        campaign_id,
        campaign_name,
        brand_id,
        report_date,
        impressions,
        clicks,
        follows,
        spend,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
