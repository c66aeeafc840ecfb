with

deduplicated as (

    {{ latest_load(source('master', 'community_operators'), partition_by='operator_id') }}

),

renamed as (

    select
        operator_id,
        operator_code,
        brand_id,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
