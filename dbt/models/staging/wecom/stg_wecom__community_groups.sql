with

deduplicated as (

    {{ latest_load(source('wecom', 'community_groups'), partition_by='group_id') }}

),

renamed as (

    select
        group_id,
        brand_id,
        operator_id,
        group_name,
        created_at,
        cast(created_at as date) as created_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
