{#- The service relationship (服务关系) as a history: which guide a member belongs to, from
    when (inclusive) until when (exclusive; null while current). Built from two kinds of link:
    the guides' WeCom contacts resolved to members (live until deleted or transferred away),
    WeCom customer transfers (the takeover guide holds the contact from the takeover until
    the customer deletes them or it is transferred on) and the mall's guide bindings (live
    until the member's next binding). At any moment the member belongs to the guide of the
    most recently started live link. A transfer (a WeCom transfer, a new binding or add)
    therefore moves the member from the transfer time on and never rewrites the past. -#}

with

followers as (

    select * from {{ ref('int_followers_acquired') }}

),

guide_bindings as (

    select * from {{ ref('stg_mall__guide_bindings') }}

),

transfers as (

    select * from {{ ref('stg_wecom__contact_transfers') }}
    where is_taken_over

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}

),

members as (

    select * from {{ ref('stg_mall__members') }}

),

contact_ends as (

    -- Every way a guide stops holding a contact: the customer deletes them, or it is
    -- transferred to a colleague.
    select
        guide_id,
        external_user_id,
        occurred_at as ended_at
    from contact_events
    where event_type = 'delete'
    union all
    select
        handover_guide_id as guide_id,
        external_user_id,
        taken_over_at as ended_at
    from transfers

),

contacts_transferred_away as (

    select
        followers.acquisition_id,
        min(transfers.taken_over_at) as transferred_at
    from followers
    inner join transfers
        on
            followers.guide_id = transfers.handover_guide_id
            and followers.follower_key = transfers.external_user_id
            and followers.acquired_at <= transfers.taken_over_at
    group by followers.acquisition_id

),

transfer_ends as (

    select
        transfers.transfer_id,
        min(contact_ends.ended_at) as ended_at
    from transfers
    inner join contact_ends
        on
            transfers.takeover_guide_id = contact_ends.guide_id
            and transfers.external_user_id = contact_ends.external_user_id
            and transfers.taken_over_at < contact_ends.ended_at
    group by transfers.transfer_id

),

links as (

    select
        followers.acquisition_id as link_id,
        followers.member_id,
        followers.guide_id,
        followers.acquired_at as started_at,
        case
            when
                contacts_transferred_away.transferred_at is not null
                and (
                    followers.lost_at is null
                    or contacts_transferred_away.transferred_at < followers.lost_at
                )
                then contacts_transferred_away.transferred_at
            else followers.lost_at
        end as ended_at
    from followers
    left join contacts_transferred_away
        on followers.acquisition_id = contacts_transferred_away.acquisition_id
    where followers.guide_id is not null and followers.member_id is not null  -- WeCom contacts
    union all
    select
        transfers.transfer_id as link_id,
        members.member_id,
        transfers.takeover_guide_id as guide_id,
        transfers.taken_over_at as started_at,
        transfer_ends.ended_at
    from transfers
    inner join members
        on transfers.union_id = members.union_id
    left join transfer_ends
        on transfers.transfer_id = transfer_ends.transfer_id
    union all
    select
        binding_id as link_id,
        member_id,
        guide_id,
        bound_at as started_at,
        lead(bound_at) over (partition by member_id order by bound_at, binding_id) as ended_at
    from guide_bindings

),

change_points as (

    select
        member_id,
        started_at as changed_at
    from links
    union
    select
        member_id,
        ended_at as changed_at
    from links
    where ended_at is not null

),

segments as (

    select
        member_id,
        changed_at as segment_start,
        lead(changed_at) over (partition by member_id order by changed_at) as segment_end
    from change_points

),

segment_guides as (

    -- The most recently started link still live at the start of each segment.
    select
        segments.member_id,
        segments.segment_start,
        segments.segment_end,
        links.guide_id,
        row_number() over (
            partition by segments.member_id, segments.segment_start
            order by links.started_at desc, links.link_id desc
        ) as recency_rank
    from segments
    inner join links
        on
            segments.member_id = links.member_id
            and segments.segment_start >= links.started_at
            and (links.ended_at is null or segments.segment_start < links.ended_at)

),

current_guides as (

    select
        member_id,
        segment_start,
        segment_end,
        guide_id,
        case
            when
                lag(guide_id) over (partition by member_id order by segment_start) = guide_id
                and lag(segment_end) over (partition by member_id order by segment_start)
                = segment_start
                then 0
            else 1
        end as starts_relationship
    from segment_guides
    where recency_rank <= 1

),

numbered as (

    select
        current_guides.*,
        sum(starts_relationship) over (
            partition by member_id
            order by segment_start
            rows between unbounded preceding and current row
        ) as relationship_number
    from current_guides

),

relationships as (

    select
        member_id,
        relationship_number,
        guide_id,
        min(segment_start) as valid_from,
        case
            when count(*) = count(segment_end) then max(segment_end)
        end as valid_to
    from numbered
    group by member_id, relationship_number, guide_id

)

select * from relationships
