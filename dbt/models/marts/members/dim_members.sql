{#- One row per member (person after identity resolution), as of the as-of date: who they
    are (identifiers, mall accounts, unknown = no verified phone), where they belong (home
    store of the oldest mall account, else of the oldest POS member card; current service
    guide), what they bought (first / last
    purchase, brands, channels, lifetime net sales), the group-wide lifecycle segment (var
    lifecycle_* thresholds; per-brand ones are in fct_member_brand_summary), group-wide RFM,
    the BTYD inputs, and the BG/NBD model's probability alive and expected purchases. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

identities as (

    select * from {{ ref('int_member_identities') }}

),

members as (

    select * from {{ ref('stg_mall__members') }}

),

accounts as (

    select * from {{ ref('int_member_accounts') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

service_guides as (

    select * from {{ ref('int_member_service_guides') }}

),

btyd_inputs as (

    select * from {{ ref('int_member_btyd_inputs') }}

),

predictions as (

    select * from {{ ref('stg_ml__member_btyd_predictions') }}

),

who as (

    select
        member_key,
        min(root_identifier_key) as root_identifier_key,
        count(*) as identifiers,
        sum(case when identifier_type = 'mall_account' then 1 else 0 end) as mall_accounts,
        sum(case when identifier_type = 'phone' then 1 else 0 end) as phones,
        sum(
            case when identifier_type in ('union_id', 'openid') then 1 else 0 end
        ) as social_identities,
        min(first_seen_at) as first_seen_at
    from identities
    group by member_key

),

member_cards as (

    select * from {{ ref('stg_pos__member_cards') }}

),

memberships as (

    -- Every membership of the person: mall accounts, and POS member cards.
    select
        accounts.member_key,
        0 as membership_kind,
        members.registered_at,
        members.member_id,
        cast(null as {{ dbt.type_string() }}) as card_no,
        members.register_store_id as store_id,
        members.register_brand_id as brand_id
    from accounts
    inner join members
        on accounts.member_id = members.member_id
    union all
    select
        identities.member_key,
        1 as membership_kind,
        member_cards.registered_at,
        cast(null as {{ dbt.type_int() }}) as member_id,
        member_cards.card_no,
        member_cards.store_id,
        member_cards.brand_id
    from member_cards
    inner join identities
        on identities.identifier_key = {{ dbt.concat(["'card_no:'", "member_cards.card_no"]) }}

),

oldest_accounts as (

    -- Home: the oldest mall account, else (a store-only member) the oldest member card.
    select
        member_key,
        store_id as register_store_id,
        brand_id as register_brand_id,
        row_number() over (
            partition by member_key
            order by membership_kind, registered_at, member_id, card_no
        ) as account_rank
    from memberships

),

channels as (

    select
        member_key,
        {{ sorted_listagg('channel', "','") }} as channels_used
    from (select distinct
        member_key,
        channel
    from order_lines) as member_channels
    group by member_key

),

purchases as (

    -- all history and the RFM lookback in one pass (the lookback's columns are null when the
    -- member bought nothing in it)
    select
        member_key,
        min(paid_date) as first_purchase_date,
        max(paid_date) as last_purchase_date,
        count(distinct order_key) as orders,
        count(distinct brand_id) as brands_bought,
        sum(paid_amount) as gmv,
        sum(net_amount) as lifetime_net_sales,
        {{ rfm_lookback_measures() }}
    from order_lines
    group by member_key

),

default_thresholds as (

    select
        {{ var('lifecycle_new_days') }} as new_days,
        {{ var('lifecycle_active_days') }} as active_days,
        {{ var('lifecycle_sleeping_days') }} as sleeping_days,
        {{ var('lifecycle_pre_churn_days') }} as pre_churn_days

),

assembled as (

    select
        who.member_key,
        who.root_identifier_key,
        who.identifiers,
        who.mall_accounts,
        -- kpis.md: a social identity (UnionID / OpenID) and no verified phone. A POS card or
        -- a WeCom contact alone is not unknown.
        (who.social_identities > 0 and who.phones = 0) as is_unknown,
        who.first_seen_at,
        oldest_accounts.register_brand_id as home_brand_id,
        oldest_accounts.register_store_id as home_store_id,
        service_guides.service_guide_id,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        coalesce(purchases.orders, 0) as orders,
        coalesce(purchases.brands_bought, 0) as brands_bought,
        channels.channels_used,
        cast(coalesce(purchases.gmv, 0) as decimal(18, 2)) as gmv,
        cast(coalesce(purchases.lifetime_net_sales, 0) as decimal(18, 2)) as lifetime_net_sales,
        {{ lifecycle_segment(
            dbt.datediff('purchases.first_purchase_date', as_of_date(), 'day'),
            dbt.datediff('purchases.last_purchase_date', as_of_date(), 'day'),
            'default_thresholds'
        ) }} as lifecycle_segment,
        {{ dbt.datediff('purchases.last_purchase_date', as_of_date(), 'day') }}
            as days_since_last_purchase,
        purchases.lookback_purchase_days,
        purchases.lookback_net_sales,
        btyd_inputs.frequency as btyd_frequency,
        btyd_inputs.recency as btyd_recency,
        btyd_inputs.t as btyd_t,
        predictions.p_alive,
        predictions.expected_purchases as expected_purchases_next_horizon
    from who
    cross join default_thresholds
    left join oldest_accounts
        on who.member_key = oldest_accounts.member_key and oldest_accounts.account_rank <= 1
    left join service_guides
        on who.member_key = service_guides.member_key
    left join purchases
        on who.member_key = purchases.member_key
    left join channels
        on who.member_key = channels.member_key
    left join btyd_inputs
        on who.member_key = btyd_inputs.member_key
    left join predictions
        on who.member_key = predictions.member_key

),

final as (

    select
        member_key,
        root_identifier_key,
        identifiers,
        mall_accounts,
        is_unknown,
        first_seen_at,
        home_brand_id,
        home_store_id,
        service_guide_id,
        first_purchase_date,
        last_purchase_date,
        orders,
        brands_bought,
        channels_used,
        gmv,
        lifetime_net_sales,
        lifecycle_segment,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by lookback_purchase_days is not null
                    order by days_since_last_purchase desc, member_key asc
                )
        end as recency_score,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by lookback_purchase_days is not null
                    order by lookback_purchase_days, member_key
                )
        end as frequency_score,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by lookback_purchase_days is not null
                    order by lookback_net_sales, member_key
                )
        end as monetary_score,
        btyd_frequency,
        btyd_recency,
        btyd_t,
        p_alive,
        -- tenths of P(alive) as labels that sort in order: '0–10%' … '90–100%'
        case
            when p_alive is null then null
            {%- for tenth in range(9) %}
            when p_alive < {{ (tenth + 1) / 10 }} then '{{ tenth * 10 }}–{{ (tenth + 1) * 10 }}%'  -- noqa
            {%- endfor %}
            else '90–100%'
        end as p_alive_band,
        expected_purchases_next_horizon,
        coalesce(
            lifecycle_segment in ('new', 'active') and p_alive < {{ var('churn_warning_p_alive') }},
            false
        ) as is_churn_warning,
        {{ as_of_date() }} as as_of_date
    from assembled

),

with_home_brand_name as (

    -- The home brand's name, under the column name the dashboards' brand filter uses.
    select
        final.*,
        brands.brand_name
    from final
    left join brands
        on final.home_brand_id = brands.brand_id

)

select * from with_home_brand_name
