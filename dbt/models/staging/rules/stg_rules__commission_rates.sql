{#- HQ's commission rate book with its history: the latest delivery of each rule version
    (brand, channel, sale scope and the date it takes effect), in force until the next
    version of the same key takes effect. A new rate is a new version with a later
    valid_from: it never changes lines paid before it. -#}

with

deduplicated as (

    {{ latest_load(source('rules', 'commission_rates'), partition_by='brand_id, channel, sale_scope, valid_from') }}

),

renamed as (

    select
        rule_id,
        rule_version,
        brand_id,
        channel,
        sale_scope = 'cross_brand' as is_cross_brand,
        cast(rate_pct / 100 as decimal(8, 4)) as rate,
        valid_from,
        lead(valid_from) over (
            partition by brand_id, channel, sale_scope
            order by valid_from, rule_id
        ) as valid_to,
        _batch_id as batch_id,
        _source_file as source_file,
        _loaded_at as loaded_at
    from deduplicated

)

select * from renamed
