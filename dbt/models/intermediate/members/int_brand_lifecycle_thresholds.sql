{#- The lifecycle thresholds in force per brand (kpis.md): the seed's fixed days, the
    brand's own inter-purchase gaps (50th / 80th / 95th percentile of the days between a
    member's consecutive purchase days of the brand, up to the as-of date) for
    gap_percentiles, or the var lifecycle_* defaults for brands not in the seed. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

seeded as (

    select * from {{ ref('lifecycle_thresholds') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

purchase_days as (

    select distinct
        member_key,
        brand_id,
        paid_date
    from order_lines

),

gaps as (

    select
        brand_id,
        {{ dbt.datediff(
            'lag(paid_date) over (partition by member_key, brand_id order by paid_date)',
            'paid_date',
            'day'
        ) }} as gap_days
    from purchase_days

),

gap_percentiles as (

    select
        brand_id,
        count(gap_days) as gaps_observed,
        {{ percentile_cont('gap_days', 0.5) }} as p50,
        {{ percentile_cont('gap_days', 0.8) }} as p80,
        {{ percentile_cont('gap_days', 0.95) }} as p95
    from gaps
    where gap_days is not null
    group by brand_id

),

final as (

    select
        brands.brand_id,
        case
            when seeded.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then 'gap_percentiles'
            when seeded.threshold_rule = 'fixed' then 'fixed'
            else 'default'
        end as threshold_rule,
        coalesce(seeded.new_days, {{ var('lifecycle_new_days') }}) as new_days,
        case
            when seeded.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p50) as {{ dbt.type_int() }})
            else coalesce(seeded.active_days, {{ var('lifecycle_active_days') }})
        end as active_days,
        case
            when seeded.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p80) as {{ dbt.type_int() }})
            else coalesce(seeded.sleeping_days, {{ var('lifecycle_sleeping_days') }})
        end as sleeping_days,
        case
            when seeded.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p95) as {{ dbt.type_int() }})
            else coalesce(seeded.pre_churn_days, {{ var('lifecycle_pre_churn_days') }})
        end as pre_churn_days
    from brands
    left join seeded
        on brands.brand_id = seeded.brand_id
    left join gap_percentiles
        on brands.brand_id = gap_percentiles.brand_id

)

select * from final
