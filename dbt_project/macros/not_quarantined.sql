{#- SQL predicate: the raw row (alias `relation`) is not in quarantine.rejected_rows for this kind.
    Rows a GX check quarantined under NRO_QUARANTINE_POLICY=allow are left out of staging; the
    content hash keeps a quarantine entry from an earlier file from hiding a row of the current one.
    Under the default policy a year with quarantined rows is blocked, so this excludes nothing that
    would be built. -#}
{% macro not_quarantined(kind, relation='source') -%}
    not exists (
        select 1
        from {{ source('quarantine', 'rejected_rows') }} as q
        where q.kind = '{{ kind }}'
          and q.year = {{ relation }}.year
          and q.row_number = {{ relation }}._row_number
          and q.content_hash = {{ relation }}._content_hash
    )
{%- endmacro %}
