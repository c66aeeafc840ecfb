with

deduplicated as (

    {{ latest_load(source('ads', 'tencent_ads_reports'), partition_by='campaign_id, date') }}

),

renamed as (

    select
        date as report_date,
        campaign_id,
        campaign_name,
        view_count as impressions,
        valid_click_count as clicks,
        follow_count as follows,
        cast(cost as decimal(18, 2)) / 100 as spend,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
