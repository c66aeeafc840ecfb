{#- Per guide and month: the month's targets beside month-to-date actuals (as of the last day
    of data), with the guide's store, region and brand for roll-ups. Attainment = actual /
    target for each kind, computed at query time (kpis.md, target attainment). -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

targets as (

    select * from {{ ref('stg_targets__guide_monthly_targets') }}

),

guide_months as (

    select * from {{ ref('fct_guide_monthly') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

stores as (

    select * from {{ ref('stg_master__stores') }}

),

data_through as (

    select max(last_data_day) as last_day from guide_months

),

actuals as (

    select
        guide_id,
        month_start as target_month,
        new_friends,
        gmv
    from guide_months

),

final as (

    select
        targets.guide_id,
        targets.target_month,
        guides.home_store_id as store_id,
        stores.region,
        guides.home_brand_id as brand_id,
        targets.target_new_friends,
        coalesce(actuals.new_friends, 0) as new_friends_mtd,
        cast(targets.target_gmv as decimal(18, 2)) as target_gmv,
        cast(coalesce(actuals.gmv, 0) as decimal(18, 2)) as gmv_mtd,
        case
            when data_through.last_day < targets.target_month then 0
            when
                data_through.last_day
                >= cast({{ dbt.last_day('targets.target_month', 'month') }} as date)
                then {{ dbt.datediff('targets.target_month', dbt.last_day('targets.target_month', 'month'), 'day') }} + 1  -- noqa: LT05
            else {{ dbt.datediff('targets.target_month', 'data_through.last_day', 'day') }} + 1  -- noqa: LT05
        end as days_elapsed,
        {{ dbt.datediff('targets.target_month', dbt.last_day('targets.target_month', 'month'), 'day') }} + 1  -- noqa: LT05
            as days_in_month
    from targets
    inner join guides
        on targets.guide_id = guides.guide_id
    inner join stores
        on guides.home_store_id = stores.store_id
    cross join data_through
    left join actuals
        on targets.guide_id = actuals.guide_id and targets.target_month = actuals.target_month

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
