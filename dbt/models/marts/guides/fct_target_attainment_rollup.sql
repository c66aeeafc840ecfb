{#- Target attainment rolled up guide → store → region → brand → group, one row per level,
    key and month. Each level is the plain sum of the guide rows, so the levels add up
    exactly (checked by assert_target_rollup_adds_up). -#}

with

guide_months as (

    select * from {{ ref('fct_guide_target_attainment') }}

),

{% set levels = rollup_levels() %}

rolled_up as (

    {% for level, key in levels %}
        select
            '{{ level }}' as rollup_level,
            {{ key }} as rollup_key,
            target_month,
            count(*) as guides,
            sum(target_new_friends) as target_new_friends,
            sum(new_friends_mtd) as new_friends_mtd,
            sum(target_gmv) as target_gmv,
            sum(gmv_mtd) as gmv_mtd
        from guide_months
        group by 2, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from rolled_up
