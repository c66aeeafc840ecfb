{#- Every member × brand the member is related to by the as-of date, and since when: a mall
    account registered with the brand, a follow / contact / group join of the brand, or a
    purchase of it. Unknown followers (no mall account) resolve through their OpenID or WeCom
    external id. -#}

with

members as (

    select * from {{ ref('stg_mall__members') }}

),

accounts as (

    select * from {{ ref('int_member_accounts') }}

),

followers as (

    select * from {{ ref('int_followers_acquired') }}

),

identities as (

    select * from {{ ref('int_member_identities') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

relations as (

    select
        accounts.member_key,
        members.register_brand_id as brand_id,
        members.registered_date as related_date
    from members
    inner join accounts
        on members.member_id = accounts.member_id
    union all
    select
        identities.member_key,
        followers.brand_id,
        followers.acquired_date as related_date
    from followers
    inner join identities
        on
            identities.identifier_key = case
                when
                    followers.is_paid
                    then {{ dbt.concat(["'openid:'", "followers.follower_key"]) }}
                else {{ dbt.concat(["'wecom_external_id:'", "followers.follower_key"]) }}
            end
    union all
    select
        member_key,
        brand_id,
        paid_date as related_date
    from order_lines

),

final as (

    select
        member_key,
        brand_id,
        min(related_date) as first_related_date
    from relations
    where related_date <= {{ as_of_date() }}
    group by member_key, brand_id

)

select * from final
