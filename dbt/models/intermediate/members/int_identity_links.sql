{#- The evidence identity resolution works from: one row per record × identifier it carries,
    with when the record showed it. A record is something a source binds together itself —
    a mall account (its UnionID, OpenID, phone, membership card), a WeCom external contact
    (with the UnionID WeCom reports), an ad follower (an OpenID alone), a POS membership card
    (seen on a receipt, and bound to the phone given at the till by the stores' registry). No fuzzy matching: identifiers only link through records.
    trust_rank orders identifier types as kpis.md does (UnionID > phone > OpenID > card >
    WeCom external id; the mall account itself last). -#}

with

members as (

    select * from {{ ref('stg_mall__members') }}

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}

),

community_events as (

    select * from {{ ref('stg_wecom__community_member_events') }}

),

follow_events as (

    select * from {{ ref('stg_ads__follow_events') }}

),

receipts as (

    select * from {{ ref('stg_pos__receipts') }}

),

member_cards as (

    select * from {{ ref('stg_pos__member_cards') }}

),

accounts as (

    select
        {{ dbt.concat(["'mall_account:'", "cast(member_id as " ~ dbt.type_string() ~ ")"]) }}
            as record_key,
        cast(member_id as {{ dbt.type_string() }}) as member_id_text,
        union_id,
        openid,
        phone_hash,
        card_no,
        registered_at as seen_at
    from members

),

account_links as (

    select
        record_key,
        'mall_account' as identifier_type,
        member_id_text as identifier_value,
        seen_at
    from accounts
    union all
    select
        record_key,
        'union_id' as identifier_type,
        union_id as identifier_value,
        seen_at
    from accounts
    where union_id is not null
    union all
    select
        record_key,
        'phone' as identifier_type,
        phone_hash as identifier_value,
        seen_at
    from accounts
    where phone_hash is not null
    union all
    select
        record_key,
        'openid' as identifier_type,
        openid as identifier_value,
        seen_at
    from accounts
    where openid is not null
    union all
    select
        record_key,
        'card_no' as identifier_type,
        card_no as identifier_value,
        seen_at
    from accounts
    where card_no is not null

),

wecom_events as (

    select
        external_user_id,
        union_id,
        occurred_at
    from contact_events
    union all
    select
        external_user_id,
        union_id,
        occurred_at
    from community_events

),

wecom_links as (

    select
        {{ dbt.concat(["'wecom:'", "external_user_id"]) }} as record_key,
        'wecom_external_id' as identifier_type,
        external_user_id as identifier_value,
        min(occurred_at) as seen_at
    from wecom_events
    group by external_user_id
    union all
    select
        {{ dbt.concat(["'wecom:'", "external_user_id"]) }} as record_key,
        'union_id' as identifier_type,
        union_id as identifier_value,
        min(occurred_at) as seen_at
    from wecom_events
    where union_id is not null
    group by external_user_id, union_id

),

follower_links as (

    select
        {{ dbt.concat(["'ad_follower:'", "openid"]) }} as record_key,
        'openid' as identifier_type,
        openid as identifier_value,
        min(occurred_at) as seen_at
    from follow_events
    group by openid

),

card_evidence as (

    -- A card seen on a receipt, and the stores' member registry binding it to the phone given
    -- at the till.
    select
        member_card_no as card_no,
        'card_no' as identifier_type,
        member_card_no as identifier_value,
        sold_at as seen_at
    from receipts
    where member_card_no is not null
    union all
    select
        card_no,
        'card_no' as identifier_type,
        card_no as identifier_value,
        registered_at as seen_at
    from member_cards
    union all
    select
        card_no,
        'phone' as identifier_type,
        phone_hash as identifier_value,
        registered_at as seen_at
    from member_cards
    where phone_hash is not null

),

card_links as (

    select
        {{ dbt.concat(["'pos_card:'", "card_no"]) }} as record_key,
        identifier_type,
        identifier_value,
        min(seen_at) as seen_at
    from card_evidence
    group by card_no, identifier_type, identifier_value

),

unioned as (

    select * from account_links
    union all
    select * from wecom_links
    union all
    select * from follower_links
    union all
    select * from card_links

),

final as (

    select
        record_key,
        {{ dbt.concat(["identifier_type", "':'", "identifier_value"]) }} as identifier_key,
        identifier_type,
        identifier_value,
        case identifier_type
            when 'union_id' then 1
            when 'phone' then 2
            when 'openid' then 3
            when 'card_no' then 4
            when 'wecom_external_id' then 5
            else 6
        end as trust_rank,
        seen_at
    from unioned

)

select * from final
