with

deduplicated as (

    {{ latest_load(source('wecom', 'contact_events'), partition_by='event_id') }}

),

renamed as (

    select
        event_id,
        guide_id,
        external_user_id,
        union_id,
        event_type,
        add_way,
        occurred_at,
        cast(occurred_at as date) as occurred_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
