{{ config(meta={'dagster': {'ref': {'name': 'int_member_identities'}}}) }}
{#- Label propagation ran enough rounds: every record's identifiers ended in one member. If
    this fails, raise var identity_resolution_iterations. -#}

select
    links.record_key,
    count(distinct identities.member_key) as members
from {{ ref('int_identity_links') }} as links
inner join {{ ref('int_member_identities') }} as identities
    on links.identifier_key = identities.identifier_key
group by links.record_key
having count(distinct identities.member_key) > 1
