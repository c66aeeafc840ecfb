with

source as (

    select * from {{ source('targets', 'guide_monthly_targets') }}

),

deduplicated as (

    select
        source.*,
        row_number() over (
            partition by month, guide_id
            order by _loaded_at desc, _batch_id desc
        ) as load_rank
    from source

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
    -- "<= 1" rather than "= 1": the same rows, but PostgreSQL then estimates the
    -- filter sanely instead of expecting 0.5% of them (and nesting loops downstream).
    where load_rank <= 1

)

select * from renamed
