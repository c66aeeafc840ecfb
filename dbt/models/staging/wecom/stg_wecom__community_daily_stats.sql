with

deduplicated as (

    {{ latest_load(source('wecom', 'community_daily_stats'), partition_by='group_id, stat_date') }}

),

renamed as (

    select
        group_id,
        stat_date,
        member_count,
        speaker_count,
        message_count,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
