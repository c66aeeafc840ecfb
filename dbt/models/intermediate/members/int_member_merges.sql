{#- The merge log: members absorbed into an older one. Each record (a mall account, a WeCom
    contact, an ad follower, a POS card) on its own would be named after its own oldest
    identifier; when that identifier was new with the record (the record brought a new person)
    but the record's component is named after an older identifier, the record's would-be
    member merged into the older member at the record's time. -#}

with

links as (

    select * from {{ ref('int_identity_links') }}

),

identities as (

    select * from {{ ref('int_member_identities') }}

),

record_roots as (

    -- Each record's own oldest identifier, by the record's own dates.
    select
        record_key,
        identifier_key,
        seen_at,
        row_number() over (
            partition by record_key
            order by seen_at, trust_rank, identifier_key
        ) as root_rank
    from links

),

absorbed as (

    select
        record_roots.record_key,
        record_roots.identifier_key as absorbed_root_identifier_key,
        record_roots.seen_at as merged_at,
        identities.root_identifier_key as surviving_root_identifier_key,
        identities.member_key
    from record_roots
    inner join identities
        on record_roots.identifier_key = identities.identifier_key
    where
        record_roots.root_rank <= 1
        -- the record introduced its root: nobody showed that identifier earlier
        and record_roots.seen_at = identities.first_seen_at
        and record_roots.identifier_key <> identities.root_identifier_key

),

final as (

    select
        {{ dbt.hash('absorbed_root_identifier_key') }} as absorbed_member_key,
        member_key as surviving_member_key,
        absorbed_root_identifier_key,
        surviving_root_identifier_key,
        min(merged_at) as merged_at,
        min(record_key) as merging_record_key
    from absorbed
    group by member_key, absorbed_root_identifier_key, surviving_root_identifier_key

)

select * from final
