with

source as (

    select * from {{ source('ads', 'campaign_daily_reports') }}

),

deduplicated as (

    select
        source.*,
        row_number() over (
            partition by platform, campaign_id, report_date
            order by _loaded_at desc, _batch_id desc
        ) as load_rank
    from source

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
    -- "<= 1" rather than "= 1": the same rows, but PostgreSQL then estimates the
    -- filter sanely instead of expecting 0.5% of them (and nesting loops downstream).
    where load_rank <= 1

)

select * from renamed
