{#- The lifecycle thresholds per brand and period of validity (kpis.md): each version of
    HQ's rule book (stg_rules__lifecycle_thresholds) with its fixed days, or the brand's own
    inter-purchase gaps (50th / 80th / 95th percentile of the days between a member's
    consecutive purchase days of the brand, up to the as-of date) for gap_percentiles; and the
    var lifecycle_* defaults before a brand's first version, or always for a brand HQ has
    given none. A day is judged by the version whose [valid_from, valid_to) holds it. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

versions_delivered as (

    select * from {{ ref('stg_rules__lifecycle_thresholds') }}

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

first_versions as (

    select
        brand_id,
        min(valid_from) as first_valid_from
    from versions_delivered
    group by brand_id

),

versions as (

    select
        brand_id,
        threshold_rule,
        new_days,
        active_days,
        sleeping_days,
        pre_churn_days,
        valid_from,
        valid_to
    from versions_delivered

    union all

    -- The defaults, up to the brand's first version (for ever without one).
    select
        brands.brand_id,
        'default' as threshold_rule,
        cast(null as {{ dbt.type_int() }}) as new_days,
        cast(null as {{ dbt.type_int() }}) as active_days,
        cast(null as {{ dbt.type_int() }}) as sleeping_days,
        cast(null as {{ dbt.type_int() }}) as pre_churn_days,
        cast('1900-01-01' as date) as valid_from,
        first_versions.first_valid_from as valid_to
    from brands
    left join first_versions
        on brands.brand_id = first_versions.brand_id
    where
        first_versions.first_valid_from is null
        or first_versions.first_valid_from > cast('1900-01-01' as date)

),

final as (

    select
        versions.brand_id,
        case
            when versions.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then 'gap_percentiles'
            when versions.threshold_rule = 'fixed' then 'fixed'
            else 'default'
        end as threshold_rule,
        coalesce(versions.new_days, {{ var('lifecycle_new_days') }}) as new_days,
        case
            when versions.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p50) as {{ dbt.type_int() }})
            else coalesce(versions.active_days, {{ var('lifecycle_active_days') }})
        end as active_days,
        case
            when versions.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p80) as {{ dbt.type_int() }})
            else coalesce(versions.sleeping_days, {{ var('lifecycle_sleeping_days') }})
        end as sleeping_days,
        case
            when versions.threshold_rule = 'gap_percentiles' and gap_percentiles.gaps_observed > 0
                then cast(ceiling(gap_percentiles.p95) as {{ dbt.type_int() }})
            else coalesce(versions.pre_churn_days, {{ var('lifecycle_pre_churn_days') }})
        end as pre_churn_days,
        versions.valid_from,
        versions.valid_to
    from versions
    left join gap_percentiles
        on versions.brand_id = gap_percentiles.brand_id

)

select * from final
