with

deduplicated as (

    {{ latest_load(source('tasks', 'tasks'), partition_by='task_id') }}

),

renamed as (

    select
        task_id,
        brand_id,
        task_type,
        title,
        sku_id,
        session_id,
        target_per_guide,
        starts_at,
        cast(starts_at as date) as start_date,
        due_at,
        cast(due_at as date) as due_date,
        published_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
