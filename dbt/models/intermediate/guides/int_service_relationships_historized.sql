{#- The service relationship (服务关系) as a history: which guide a member belongs to, from
    when (inclusive) until when (exclusive; null while current). Built from two kinds of link:
    the guides' WeCom contacts resolved to members (live until deleted) and the mall's guide
    bindings (live until the member's next binding). At any moment the member belongs to the
    guide of the most recently started live link. A transfer (a new binding or add) therefore
    moves the member from the transfer time on and never rewrites the past. -#}

with

followers as (

    select * from {{ ref('int_followers_acquired') }}

),

guide_bindings as (

    select * from {{ ref('stg_mall__guide_bindings') }}

),

links as (

    select
        acquisition_id as link_id,
        member_id,
        guide_id,
        acquired_at as started_at,
        lost_at as ended_at
    from followers
    where guide_id is not null and member_id is not null  -- WeCom contacts of guides
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
