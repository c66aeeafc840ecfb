{#- When each person was reachable in each brand's private domain: WeCom contacts of the
    brand's guides and the brand's ad followers, as spans [reachable_from, reachable_until)
    in business days, overlapping spans of one person and brand merged. A person is the
    member (after identity resolution) when the follower's mall account or own id (the
    OpenID of an ad follower, the WeCom external user id of a contact) belongs to one, else the
    follower's own id. A span lost on its own first day covers no day. -#}

with

followers as (

    select * from {{ ref('int_followers_acquired') }}

),

-- the identities imported once per join: PostgreSQL materialises a CTE read twice (a copy of
-- every identifier) and inlines one read once
account_identities as (

    select * from {{ ref('int_member_identities') }}

),

own_identities as (

    select * from {{ ref('int_member_identities') }}

),

spans as (

    select
        followers.brand_id,
        coalesce(
            account_ids.member_key,
            own_ids.member_key,
            {{ dbt.concat(["'follower:'", "followers.follower_key"]) }}
        ) as person_key,
        followers.acquired_date as reachable_from,
        coalesce(cast(followers.lost_at as date), cast('9999-12-31' as date)) as reachable_until
    from followers
    left join account_identities as account_ids
        on
            account_ids.identifier_key = {{ dbt.concat([
                "'mall_account:'",
                "cast(followers.member_id as " ~ dbt.type_string() ~ ")",
            ]) }}
    left join own_identities as own_ids
        on
            own_ids.identifier_key = {{ dbt.concat([
                "case when followers.acquisition_channel like 'ad:%' then 'openid:' "
                ~ "else 'wecom_external_id:' end",
                "followers.follower_key",
            ]) }}

),

non_empty as (

    select * from spans
    where reachable_until > reachable_from

),

ordered as (

    select
        non_empty.*,
        max(reachable_until) over (
            partition by brand_id, person_key
            order by reachable_from, reachable_until
            rows between unbounded preceding and 1 preceding
        ) as reachable_until_so_far
    from non_empty

),

islands as (

    select
        ordered.*,
        sum(
            case
                when reachable_until_so_far is null or reachable_from > reachable_until_so_far
                    then 1
                else 0
            end
        ) over (
            partition by brand_id, person_key
            order by reachable_from, reachable_until
            rows between unbounded preceding and current row
        ) as island_number
    from ordered

),

merged as (

    select
        brand_id,
        person_key,
        island_number,
        min(reachable_from) as reachable_from,
        max(reachable_until) as reachable_until
    from islands
    group by brand_id, person_key, island_number

)

select * from merged
