{{ config(materialized='table') }}

{#- The Russian labels of every coded value BI users see, from seed code_labels (their one home),
    in schema marts so that the BI snapshot and the reports can join them. -#}
select
    domain,
    code,
    label_ru,
    cast(sort_order as integer) as sort_order
from {{ ref('code_labels') }}
