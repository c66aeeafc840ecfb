with

deduplicated as (

    {{ latest_load(source('live', 'sessions'), partition_by='session_id') }}

),

renamed as (

    select
        session_id,
        brand_id,
        title,
        started_at,
        ended_at,
        cast(started_at as date) as session_date,
        viewers,
        peak_concurrent as peak_concurrent_viewers,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
