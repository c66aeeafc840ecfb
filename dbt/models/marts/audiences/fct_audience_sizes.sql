{#- How many members each activation audience holds, per brand, lifecycle segment and offer
    tier, as of the as-of date: the row counts of the lists `siyu audience export` writes, so
    a CRM owner sees how big a campaign will be before exporting it, and sees 0 where a
    brand's list is empty. Every brand has a row for every cell an audience can fill; the
    churn-warning list is counted under the member's home brand (members without one under a
    null brand) and has no offer tier. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

winback as (

    select * from {{ ref('audience_winback') }}

),

churn_warning as (

    select * from {{ ref('audience_churn_warning') }}

),

audience_cells as (

    -- The segments and offer tiers each audience can hold (see their models' tests).
    {% set cells = [
        ('audience_winback', 'sleeping', 'tier_1'),
        ('audience_winback', 'sleeping', 'tier_2'),
        ('audience_winback', 'sleeping', 'tier_3'),
        ('audience_winback', 'pre_churn', 'tier_1'),
        ('audience_winback', 'pre_churn', 'tier_2'),
        ('audience_winback', 'pre_churn', 'tier_3'),
        ('audience_churn_warning', 'new', 'none'),
        ('audience_churn_warning', 'active', 'none'),
    ] %}
    {% for audience, segment, tier in cells %}
        select
            '{{ audience }}' as audience,
            '{{ segment }}' as lifecycle_segment,
            '{{ tier }}' as offer_tier
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

members as (

    select
        'audience_winback' as audience,
        brand_id,
        lifecycle_segment,
        offer_tier
    from winback
    union all
    select
        'audience_churn_warning' as audience,
        home_brand_id as brand_id,
        lifecycle_segment,
        'none' as offer_tier
    from churn_warning

),

counted as (

    select
        audience,
        brand_id,
        lifecycle_segment,
        offer_tier,
        count(*) as members
    from members
    group by audience, brand_id, lifecycle_segment, offer_tier

),

cells as (

    select
        audience_cells.audience,
        brands.brand_id,
        audience_cells.lifecycle_segment,
        audience_cells.offer_tier
    from brands
    cross join audience_cells
    union
    select
        audience,
        brand_id,
        lifecycle_segment,
        offer_tier
    from counted

),

sized as (

    select
        cells.audience,
        cells.brand_id,
        cells.lifecycle_segment,
        cells.offer_tier,
        {{ as_of_date() }} as as_of_date,
        coalesce(counted.members, 0) as members,
        brands.brand_name
    from cells
    left join brands
        on cells.brand_id = brands.brand_id
    left join counted
        on
            cells.audience = counted.audience
            and cells.lifecycle_segment = counted.lifecycle_segment
            and cells.offer_tier = counted.offer_tier
            and (
                cells.brand_id = counted.brand_id
                or (cells.brand_id is null and counted.brand_id is null)
            )

)

select * from sized
