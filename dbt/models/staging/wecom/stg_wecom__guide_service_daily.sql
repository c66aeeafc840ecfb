with

deduplicated as (

    {{ latest_load(source('wecom', 'guide_service_daily'), partition_by='guide_id, stat_date') }}

),

answered as (

    -- WeCom gives a percentage with two decimals: the answered chats are exact again.
    select
        deduplicated.*,
        cast(round(chat_cnt * coalesce(reply_percentage, 0) / 100) as {{ dbt.type_bigint() }})
            as replied_chats
    from deduplicated

),

renamed as (

    select
        guide_id,
        stat_date,
        new_apply_cnt as contact_requests,
        new_contact_cnt as new_contacts,
        chat_cnt as chats,
        message_cnt as messages_sent,
        replied_chats,
        case
            when chat_cnt > 0 then cast(reply_percentage / 100 as decimal(9, 4))
        end as reply_rate,
        avg_reply_time as avg_first_reply_minutes,
        cast(coalesce(avg_reply_time, 0) * replied_chats as decimal(18, 2))
            as first_reply_minutes_total,
        negative_feedback_cnt as deleted_by_customers,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from answered

)

select * from renamed
