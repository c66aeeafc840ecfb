{#- The service relationship (服务关系) as a history: which guide a member belongs to, from
    when (inclusive) until when (exclusive; null while current). Built from the guides' WeCom
    contacts resolved to members: at any moment the member belongs to the guide whose contact
    was added most recently among those not deleted. A transfer to another guide (a new add)
    therefore moves the member from the transfer time on and never rewrites the past. -#}

with

contacts as (

    select * from {{ ref('int_followers_acquired') }}
    where acquisition_channel = 'guide_add' and member_id is not null

),

change_points as (

    select member_id, acquired_at as changed_at from contacts
    union
    select member_id, lost_at as changed_at from contacts where lost_at is not null

),

segments as (

    select
        member_id,
        changed_at as segment_start,
        lead(changed_at) over (partition by member_id order by changed_at) as segment_end
    from change_points

),

segment_guides as (

    -- The most recently added contact still active at the start of each segment.
    select
        segments.member_id,
        segments.segment_start,
        segments.segment_end,
        contacts.guide_id,
        row_number() over (
            partition by segments.member_id, segments.segment_start
            order by contacts.acquired_at desc, contacts.acquisition_id desc
        ) as recency_rank
    from segments
    inner join contacts
        on
            segments.member_id = contacts.member_id
            and contacts.acquired_at <= segments.segment_start
            and (contacts.lost_at is null or contacts.lost_at > segments.segment_start)

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
