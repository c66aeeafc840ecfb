with

deduplicated as (

    {{ latest_load(source('wecom', 'contact_transfers'), partition_by='transfer_id') }}

),

renamed as (

    select
        transfer_id,
        transfer_type,
        handover_guide_id,
        takeover_guide_id,
        external_user_id,
        union_id,
        transfer_status,
        transfer_status = 'success' as is_taken_over,
        requested_at,
        case when transfer_status = 'success' then taken_over_at end as taken_over_at,
        case
            when transfer_status = 'success' then cast(taken_over_at as date)
        end as taken_over_date,
        finished_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
