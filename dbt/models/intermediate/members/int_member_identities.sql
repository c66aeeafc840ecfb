{#- Identity resolution: every identifier → the member (person) it belongs to. Members are
    the connected components of the record–identifier graph (int_identity_links, without the
    overshared values of int_identifiers_overshared); the Python asset ml/identifier_components
    finds them with SciPy's connected_components, which finishes on any graph. Here each
    component is named after its oldest identifier (ties: the most trusted type, then the key),
    so a person keeps the key as new identifiers arrive and a merge keeps the older key;
    member_key is a hash of that root identifier. -#}

with

all_links as (

    select * from {{ ref('int_identity_links') }}

),

overshared as (

    select * from {{ ref('int_identifiers_overshared') }}

),

components as (

    select * from {{ ref('stg_ml__identifier_components') }}

),

links as (

    select all_links.*
    from all_links
    left join overshared
        on all_links.identifier_key = overshared.identifier_key
    where overshared.identifier_key is null

),

nodes as (

    select
        identifier_key,
        identifier_type,
        identifier_value,
        trust_rank,
        min(seen_at) as first_seen_at
    from links
    group by identifier_key, identifier_type, identifier_value, trust_rank

),

ranked_nodes as (

    select
        nodes.*,
        components.component_key,
        row_number() over (
            partition by components.component_key
            order by nodes.first_seen_at asc, nodes.trust_rank asc, nodes.identifier_key asc
        ) as age_rank
    from nodes
    inner join components
        on nodes.identifier_key = components.identifier_key

),

roots as (

    select
        component_key,
        identifier_key as root_identifier_key
    from ranked_nodes
    where age_rank = 1

),

final as (

    select
        ranked_nodes.identifier_key,
        ranked_nodes.identifier_type,
        ranked_nodes.identifier_value,
        ranked_nodes.trust_rank,
        ranked_nodes.first_seen_at,
        roots.root_identifier_key,
        {{ dbt.hash('roots.root_identifier_key') }} as member_key
    from ranked_nodes
    inner join roots
        on ranked_nodes.component_key = roots.component_key

)

select * from final
