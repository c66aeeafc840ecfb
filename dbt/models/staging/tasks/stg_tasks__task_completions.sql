with

deduplicated as (

    {{ latest_load(source('tasks', 'task_completions'), partition_by='completion_id') }}

),

renamed as (

    select
        completion_id,
        task_id,
        guide_id,
        external_user_id,
        completed_at,
        cast(completed_at as date) as completed_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
