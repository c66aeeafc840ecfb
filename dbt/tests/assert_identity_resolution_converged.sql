{{ config(meta={'dagster': {'ref': {'name': 'int_member_identities'}}}) }}
{#- Identity resolution is complete: every record's identifiers ended in one member (the
    components of ml/identifier_components were computed over the links dbt built). -#}

select
    links.record_key,
    count(distinct identities.member_key) as members
from {{ ref('int_identity_links') }} as links
inner join {{ ref('int_member_identities') }} as identities
    on links.identifier_key = identities.identifier_key
group by links.record_key
having count(distinct identities.member_key) > 1
