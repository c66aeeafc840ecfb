with

deduplicated as (

    {{ latest_load(source('mall', 'guide_bindings'), partition_by='binding_id') }}

),

renamed as (

    select
        binding_id,
        member_id,
        guide_id,
        binding_type,
        bound_at,
        cast(bound_at as date) as bound_date,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
