{#- Every paid order line of every channel with the guide it is credited to and why, by the
    precedence of kpis.md. Online (mall, live): the share guide, else the service guide at
    payment time, else none. Offline (POS): the guide on the receipt, else the service guide
    at payment time, else none. The service guide is the buyer's as a person (after identity
    resolution): a receipt on any card of someone a guide serves is that guide's. A community operator's code is kept beside the guide as its
    own attribution and never replaces one. Rebuilt in full every run: a re-delivered order
    of any month is re-credited here, so a changed line of a locked month stops the run at
    assert_locked_commission_statements_unchanged. -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

relationships_of_members as (

    select * from {{ ref('int_service_relationships_resolved') }}

),

resolved_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

community_groups as (

    select * from {{ ref('stg_wecom__community_groups') }}

),

service_guides as (

    -- The buyer's service guide at payment time, whichever account or card of theirs the line
    -- carries: the relationship of the line's own account first, else the one that began
    -- last (a person served through two accounts at once).
    select
        resolved_lines.order_line_key,
        relationships_of_members.guide_id,
        row_number() over (
            partition by resolved_lines.order_line_key
            order by
                case
                    when relationships_of_members.member_id = resolved_lines.member_id then 0
                    else 1
                end asc,
                relationships_of_members.valid_from desc,
                relationships_of_members.guide_id asc
        ) as preference
    from resolved_lines
    inner join relationships_of_members
        on
            resolved_lines.member_key = relationships_of_members.member_key
            and resolved_lines.paid_at >= relationships_of_members.valid_from
            and (
                relationships_of_members.valid_to is null
                or resolved_lines.paid_at < relationships_of_members.valid_to
            )

),

with_service_guide as (

    select
        order_lines.*,
        service_guides.guide_id as service_guide_id
    from order_lines
    left join service_guides
        on
            order_lines.order_line_key = service_guides.order_line_key
            and service_guides.preference = 1

),

credited as (

    select
        with_service_guide.order_line_key,
        with_service_guide.channel,
        with_service_guide.is_online,
        with_service_guide.order_key,
        with_service_guide.brand_id,
        with_service_guide.store_id,
        with_service_guide.member_id,
        with_service_guide.sku_id,
        with_service_guide.quantity,
        with_service_guide.paid_amount,
        with_service_guide.paid_at,
        with_service_guide.paid_date,
        coalesce(with_service_guide.guide_id, with_service_guide.service_guide_id)
            as credited_guide_id,
        case
            when with_service_guide.guide_id is not null and with_service_guide.is_online
                then 'share'
            when with_service_guide.guide_id is not null then 'receipt_guide'
            when with_service_guide.service_guide_id is not null then 'service'
            else 'none'
        end as credit_reason,
        with_service_guide.service_guide_id,
        with_service_guide.community_group_id
    from with_service_guide

),

final as (

    select
        credited.*,
        guides.home_brand_id as guide_home_brand_id,
        coalesce(credited.brand_id <> guides.home_brand_id, false) as is_cross_brand,
        community_groups.operator_id as community_operator_id
    from credited
    left join guides
        on credited.credited_guide_id = guides.guide_id
    left join community_groups
        on credited.community_group_id = community_groups.group_id

)

select * from final
