{#- HQ's lifecycle thresholds per brand with their history: the latest delivery of each
    brand's version (the date it takes effect), in force until the brand's next version. -#}

with

deduplicated as (

    {{ latest_load(source('rules', 'lifecycle_thresholds'), partition_by='brand_id, valid_from') }}

),

renamed as (

    select
        brand_id,
        threshold_rule,
        new_days,
        active_days,
        sleeping_days,
        pre_churn_days,
        valid_from,
        lead(valid_from) over (
            partition by brand_id
            order by valid_from
        ) as valid_to,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
