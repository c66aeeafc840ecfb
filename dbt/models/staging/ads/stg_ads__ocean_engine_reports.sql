with

deduplicated as (

    {{ latest_load(source('ads', 'ocean_engine_reports'), partition_by='campaign_id, stat_datetime') }}

),

renamed as (

    select
        cast(stat_datetime as date) as report_date,
        campaign_id,
        campaign_name,
        show_cnt as impressions,
        click_cnt as clicks,
        convert_cnt as follows,
        stat_cost as spend,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
