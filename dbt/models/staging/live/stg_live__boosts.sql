with

deduplicated as (

    {{ latest_load(source('live', 'boosts'), partition_by='boost_id') }}

),

renamed as (

    select
        boost_id,
        session_id,
        guide_id,
        boost_points,
        recorded_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
