with

deduplicated as (

    {{ latest_load(source('targets', 'guide_monthly_targets'), partition_by='month, guide_id') }}

),

renamed as (

    select
        month as target_month,
        guide_id,
        target_new_friends,
        target_gmv,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
