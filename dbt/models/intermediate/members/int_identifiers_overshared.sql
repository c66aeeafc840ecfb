{#- The identity audit: identifier values carried by more mall accounts or store cards than
    var identity_shared_value_cap (default 5): a store's own phone typed in for walk-in
    customers, a shared card. They link nothing (kpis.md "identity rules"); this lists them
    for someone to clean at the source. -#}

{%- set cap = var('identity_shared_value_cap') -%}

with

links as (

    select * from {{ ref('int_identity_links') }}

),

final as (

    select
        identifier_key,
        identifier_type,
        identifier_value,
        count(distinct record_key) as accounts_sharing,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from links
    where
        identifier_type <> 'mall_account'
        and (record_key like 'mall_account:%' or record_key like 'pos_card:%')
    group by identifier_key, identifier_type, identifier_value
    having count(distinct record_key) > {{ cap }}

)

select * from final
