{{ config(meta={'dagster': {'ref': {'name': 'fct_target_attainment_rollup'}}}) }}
{#- Every roll-up level adds up exactly to the guide rows, per month. -#}

with

levels as (

    select
        rollup_level,
        target_month,
        sum(guides) as guides,
        sum(target_new_friends) as target_new_friends,
        sum(new_friends_mtd) as new_friends_mtd,
        sum(target_gmv) as target_gmv,
        sum(gmv_mtd) as gmv_mtd
    from {{ ref('fct_target_attainment_rollup') }}
    group by rollup_level, target_month

),

guide_rows as (

    select
        target_month,
        count(*) as guides,
        sum(target_new_friends) as target_new_friends,
        sum(new_friends_mtd) as new_friends_mtd,
        sum(target_gmv) as target_gmv,
        sum(gmv_mtd) as gmv_mtd
    from {{ ref('fct_guide_target_attainment') }}
    group by target_month

)

select levels.*
from levels
inner join guide_rows
    on levels.target_month = guide_rows.target_month
where
    levels.guides <> guide_rows.guides
    or levels.target_new_friends <> guide_rows.target_new_friends
    or levels.new_friends_mtd <> guide_rows.new_friends_mtd
    or levels.target_gmv <> guide_rows.target_gmv
    or levels.gmv_mtd <> guide_rows.gmv_mtd
