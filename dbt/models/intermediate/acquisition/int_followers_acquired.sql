{#- One row per acquisition of a follower: an ad follow (paid, per platform and campaign) or a
    WeCom contact added by a guide (organic). Each carries the member it resolves to, if any,
    and when the follower was first lost again (unfollow / contact deleted). -#}

with

follow_events as (

    select * from {{ ref('stg_ads__follow_events') }}

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}

),

report_campaigns as (

    select distinct
        platform,
        campaign_id,
        brand_id
    from {{ ref('stg_ads__campaign_daily_reports') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

members as (

    select * from {{ ref('stg_mall__members') }}

),

ad_losses as (

    -- The first unfollow at or after each follow.
    select
        follows.event_id as acquisition_id,
        min(unfollows.occurred_at) as lost_at
    from follow_events as follows
    inner join follow_events as unfollows
        on
            follows.openid = unfollows.openid
            and follows.campaign_id = unfollows.campaign_id
            and unfollows.event_type = 'unfollow'
            and unfollows.occurred_at >= follows.occurred_at
    where follows.event_type = 'follow'
    group by follows.event_id

),

contact_losses as (

    -- The first deletion of the contact by the same guide at or after each add.
    select
        adds.event_id as acquisition_id,
        min(deletes.occurred_at) as lost_at
    from contact_events as adds
    inner join contact_events as deletes
        on
            adds.external_user_id = deletes.external_user_id
            and adds.guide_id = deletes.guide_id
            and deletes.event_type = 'delete'
            and deletes.occurred_at >= adds.occurred_at
    where adds.event_type = 'add'
    group by adds.event_id

),

ad_follows as (

    select
        follow_events.event_id as acquisition_id,
        {{ dbt.concat(["'ad:'", "follow_events.platform"]) }} as acquisition_channel,
        true as is_paid,
        follow_events.platform,
        follow_events.campaign_id,
        report_campaigns.brand_id,
        cast(null as {{ dbt.type_bigint() }}) as guide_id,
        follow_events.openid as follower_key,
        follow_events.occurred_at as acquired_at,
        follow_events.occurred_date as acquired_date,
        members.member_id,
        ad_losses.lost_at
    from follow_events
    inner join report_campaigns
        on
            follow_events.platform = report_campaigns.platform
            and follow_events.campaign_id = report_campaigns.campaign_id
    left join members
        on follow_events.openid = members.openid
    left join ad_losses
        on follow_events.event_id = ad_losses.acquisition_id
    where follow_events.event_type = 'follow'

),

guide_adds as (

    select
        contact_events.event_id as acquisition_id,
        'guide_add' as acquisition_channel,
        false as is_paid,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        guides.home_brand_id as brand_id,
        contact_events.guide_id,
        contact_events.external_user_id as follower_key,
        contact_events.occurred_at as acquired_at,
        contact_events.occurred_date as acquired_date,
        members.member_id,
        contact_losses.lost_at
    from contact_events
    inner join guides
        on contact_events.guide_id = guides.guide_id
    left join members
        on contact_events.union_id = members.union_id
    left join contact_losses
        on contact_events.event_id = contact_losses.acquisition_id
    where contact_events.event_type = 'add'

),

unioned as (

    select * from ad_follows
    union all
    select * from guide_adds

)

select * from unioned
