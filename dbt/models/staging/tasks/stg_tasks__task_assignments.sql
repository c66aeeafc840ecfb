with

deduplicated as (

    {{ latest_load(source('tasks', 'task_assignments'), partition_by='task_id, guide_id') }}

),

renamed as (

    select
        task_id,
        guide_id,
        target,
        assigned_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
