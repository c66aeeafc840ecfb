{#- Identity resolution: every identifier → the member (person) it belongs to. Members are
    the connected components of the record–identifier graph (int_identity_links, without the
    overshared values of int_identifiers_overshared), found by label propagation: each
    identifier starts with its own rank (first seen, then trust rank, then the key), records
    and identifiers then repeatedly take the smallest label they touch, for
    var identity_resolution_iterations rounds (assert_identity_resolution_converged fails if
    that was not enough). The member is named after its oldest identifier (ties: the most
    trusted), so a person keeps the key as new identifiers arrive and a merge keeps the older
    key; member_key is a hash of that root identifier. -#}

{%- set iterations = var('identity_resolution_iterations') -%}

with

all_links as (

    select * from {{ ref('int_identity_links') }}

),

overshared as (

    select * from {{ ref('int_identifiers_overshared') }}

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
        {{ dbt.concat([
            "cast(first_seen_at as " ~ dbt.type_string() ~ ")",
            "'|'",
            "cast(trust_rank as " ~ dbt.type_string() ~ ")",
            "'|'",
            "identifier_key",
        ]) }} as rank_key
    from nodes

),

labels_0 as (

    select
        identifier_key,
        rank_key as component_label
    from ranked_nodes

),

{% for i in range(1, iterations + 1) %}
    records_{{ i }} as (

        select
            links.record_key,
            min(labels_{{ i - 1 }}.component_label) as component_label
        from links
        inner join labels_{{ i - 1 }}
            on links.identifier_key = labels_{{ i - 1 }}.identifier_key
        group by links.record_key

    ),

    labels_{{ i }} as (

        select
            links.identifier_key,
            min(records_{{ i }}.component_label) as component_label
        from links
        inner join records_{{ i }}
            on links.record_key = records_{{ i }}.record_key
        group by links.identifier_key

    ),

{% endfor %}
final as (

    select
        ranked_nodes.identifier_key,
        ranked_nodes.identifier_type,
        ranked_nodes.identifier_value,
        ranked_nodes.trust_rank,
        ranked_nodes.first_seen_at,
        roots.identifier_key as root_identifier_key,
        {{ dbt.hash('roots.identifier_key') }} as member_key
    from ranked_nodes
    inner join labels_{{ iterations }} as resolved
        on ranked_nodes.identifier_key = resolved.identifier_key
    inner join ranked_nodes as roots
        on resolved.component_label = roots.rank_key

)

select * from final
