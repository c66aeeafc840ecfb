{#- One row per acquisition of a follower: an ad follow (paid, per platform and campaign), a
    WeCom contact of a guide — added by the guide, through the store's QR code or in a live
    room — or a join of a brand's customer group (organic). Each carries the member it resolves
    to, if any, and when the follower was first lost again (unfollow / contact deleted).
    Incremental: a run rebuilds every acquisition of a relationship (campaign and OpenID, guide
    and contact, group and member) with an event in the look-back window
    (macros/incremental.sql), since a new loss can end an old acquisition, and every built
    acquisition whose brand or member no longer matches the masters and the mall's members (a
    follower who registers later, a guide who moves brand). -#}

{{
    config(
        materialized=keyed_incremental(),
        unique_key='acquisition_id',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

follow_events as (

    select * from {{ ref('stg_ads__follow_events') }}

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}

),

community_events as (

    select * from {{ ref('stg_wecom__community_member_events') }}

),

community_groups as (

    select * from {{ ref('stg_wecom__community_groups') }}

),

ad_campaigns as (

    select * from {{ ref('stg_master__ad_campaigns') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

members as (

    select * from {{ ref('stg_mall__members') }}

),

relationship_events as (

    -- Gains and losses of both channels in one shape: an ad follow / unfollow per OpenID and
    -- campaign, a contact add / delete per external user and guide.
    select
        'ad' as relationship_kind,
        event_id,
        {{ dbt.concat(["campaign_id", "'|'", "openid"]) }} as relationship_key,
        event_type = 'follow' as is_gain,
        occurred_at
    from follow_events
    union all
    select
        'wecom' as relationship_kind,
        event_id,
        {{ dbt.concat(["cast(guide_id as " ~ dbt.type_string() ~ ")", "'|'", "external_user_id"]) }}
            as relationship_key,
        event_type = 'add' as is_gain,
        occurred_at
    from contact_events
    union all
    select
        'community' as relationship_kind,
        event_id,
        {{ dbt.concat(["group_id", "'|'", "external_user_id"]) }} as relationship_key,
        event_type = 'join' as is_gain,
        occurred_at
    from community_events

),

ad_follows as (

    select
        follow_events.event_id as acquisition_id,
        {{ dbt.concat(["'ad:'", "follow_events.platform"]) }} as acquisition_channel,
        true as is_paid,
        follow_events.platform,
        follow_events.campaign_id,
        ad_campaigns.brand_id,
        cast(null as {{ dbt.type_bigint() }}) as guide_id,
        follow_events.openid as follower_key,
        follow_events.occurred_at as acquired_at,
        follow_events.occurred_date as acquired_date,
        members.member_id,
        'ad' as relationship_kind,
        {{ dbt.concat(["follow_events.campaign_id", "'|'", "follow_events.openid"]) }}
            as relationship_key
    from follow_events
    inner join ad_campaigns
        on
            follow_events.platform = ad_campaigns.platform
            and follow_events.campaign_id = ad_campaigns.campaign_id
    left join members
        on follow_events.openid = members.openid
    where follow_events.event_type = 'follow'

),

guide_adds as (

    select
        contact_events.event_id as acquisition_id,
        case contact_events.add_way
            when 'store_qr' then 'store_qr'
            when 'live_room' then 'live_room'
            else 'guide_add'
        end as acquisition_channel,
        false as is_paid,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        guides.home_brand_id as brand_id,
        contact_events.guide_id,
        contact_events.external_user_id as follower_key,
        contact_events.occurred_at as acquired_at,
        contact_events.occurred_date as acquired_date,
        members.member_id,
        'wecom' as relationship_kind,
        {{ dbt.concat([
            "cast(contact_events.guide_id as " ~ dbt.type_string() ~ ")",
            "'|'",
            "contact_events.external_user_id",
        ]) }} as relationship_key
    from contact_events
    inner join guides
        on contact_events.guide_id = guides.guide_id
    left join members
        on contact_events.union_id = members.union_id
    where contact_events.event_type = 'add'

),

community_joins as (

    select
        community_events.event_id as acquisition_id,
        'community_join' as acquisition_channel,
        false as is_paid,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        community_groups.brand_id,
        cast(null as {{ dbt.type_bigint() }}) as guide_id,
        community_events.external_user_id as follower_key,
        community_events.occurred_at as acquired_at,
        community_events.occurred_date as acquired_date,
        members.member_id,
        'community' as relationship_kind,
        {{ dbt.concat(["community_events.group_id", "'|'", "community_events.external_user_id"]) }}
            as relationship_key
    from community_events
    inner join community_groups
        on community_events.group_id = community_groups.group_id
    left join members
        on community_events.union_id = members.union_id
    where community_events.event_type = 'join'

),

acquisitions as (

    select * from ad_follows
    union all
    select * from guide_adds
    union all
    select * from community_joins

),

{%- if is_incremental() %}

window_relationships as (

    -- relationships with an event in the look-back window
    select distinct
        relationship_kind,
        relationship_key
    from relationship_events
    where occurred_at >= {{ incremental_window_start('acquired_date') }}

),

built as (

    select
        acquisition_id,
        brand_id,
        member_id
    from {{ this }}

),
{%- endif %}

to_build as (

    select acquisitions.*
    from acquisitions
    {%- if is_incremental() %}
    -- joined after the union, so the built rows and the window are each read once
    left join window_relationships
        on
            acquisitions.relationship_kind = window_relationships.relationship_kind
            and acquisitions.relationship_key = window_relationships.relationship_key
    left join built
        on acquisitions.acquisition_id = built.acquisition_id
    where
        window_relationships.relationship_key is not null
        -- new, or built with another brand or member
        or built.acquisition_id is null
        or built.brand_id <> acquisitions.brand_id
        or coalesce(built.member_id, -1) <> coalesce(acquisitions.member_id, -1)
    {%- endif %}

),

losses as (

    -- The first loss of the same relationship at or after each acquisition rebuilt.
    select
        to_build.relationship_kind,
        to_build.acquisition_id,
        min(lost.occurred_at) as lost_at
    from to_build
    inner join relationship_events as lost
        on
            to_build.relationship_kind = lost.relationship_kind
            and to_build.relationship_key = lost.relationship_key
            and not lost.is_gain
            and to_build.acquired_at <= lost.occurred_at
    group by to_build.relationship_kind, to_build.acquisition_id

),

final as (

    select
        to_build.acquisition_id,
        to_build.acquisition_channel,
        to_build.is_paid,
        to_build.platform,
        to_build.campaign_id,
        to_build.brand_id,
        to_build.guide_id,
        to_build.follower_key,
        to_build.acquired_at,
        to_build.acquired_date,
        to_build.member_id,
        losses.lost_at
    from to_build
    left join losses
        on
            to_build.relationship_kind = losses.relationship_kind
            and to_build.acquisition_id = losses.acquisition_id

)

select * from final
