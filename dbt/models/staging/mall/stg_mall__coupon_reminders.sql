with

deduplicated as (

    {{ latest_load(source('mall', 'coupon_reminders'), partition_by='reminder_id') }}

),

renamed as (

    select
        reminder_id,
        coupon_id,
        sent_at,
        cast(sent_at as date) as sent_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
