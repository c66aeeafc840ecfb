{#- Personal data never leaves raw in clear. From staging on a phone exists only as a keyed
    hash (key from SIYU_PII_KEY) and a masked form such as 138****1234. -#}

{% macro normalize_phone(column) -%}
    {{ return(adapter.dispatch('normalize_phone', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__normalize_phone(column) -%}
    case
        when length(regexp_replace({{ column }}, '[^0-9]', '')) = 13
            and regexp_replace({{ column }}, '[^0-9]', '') like '86%'
            then substring(regexp_replace({{ column }}, '[^0-9]', ''), 3, 11)
        when length(regexp_replace({{ column }}, '[^0-9]', '')) = 11
            then regexp_replace({{ column }}, '[^0-9]', '')
    end
{%- endmacro %}

{% macro postgres__normalize_phone(column) -%}
    case
        when length(regexp_replace({{ column }}, '[^0-9]', '', 'g')) = 13
            and regexp_replace({{ column }}, '[^0-9]', '', 'g') like '86%'
            then substring(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 3, 11)
        when length(regexp_replace({{ column }}, '[^0-9]', '', 'g')) = 11
            then regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}

{% macro pii_key() -%}
    {%- set key = env_var('SIYU_PII_KEY', '') -%}
    {%- if execute and not key -%}
        {{ exceptions.raise_compiler_error(
            "SIYU_PII_KEY is not set: phones are hashed with this key from staging on. "
            ~ "Run through `siyu` (which keeps one under .data/secrets) or export it."
        ) }}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}

{% macro hash_pii(column) -%}
    {{ return(adapter.dispatch('hash_pii', 'siyu')(column)) }}
{%- endmacro %}

{% macro default__hash_pii(column) -%}
    sha2({{ dbt.concat(["'" ~ siyu.pii_key() ~ "'", "'|'", column]) }}, 256)
{%- endmacro %}

{#- On PostgreSQL the key is read inside the warehouse (siyu_secrets.pii_key, written by
    `siyu`, readable by no other role): neither the compiled SQL under dbt/target nor a view's
    definition holds it. -#}
{% macro postgres__hash_pii(column) -%}
    encode(sha256(convert_to({{ dbt.concat(["(select key from siyu_secrets.pii_key)", "'|'", column]) }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro mask_phone(column) -%}
    {{ dbt.concat(["substring(" ~ column ~ ", 1, 3)", "'****'", dbt.right(column, 4)]) }}
{%- endmacro %}
