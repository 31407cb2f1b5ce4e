{#- Disclosure control of the public edition (docs/methodology.md, «Публичная версия»): the one
    home of its rules, used by mart_disclosure_control and the views of schema public. -#}

{#- A figure computed from fewer than suppress_below participants (or schools) is not shown. -#}
{% macro public_small_group(size) -%}
    coalesce({{ size }}, 0) < {{ var('suppress_below') }}
{%- endmacro %}

{#- A share of a group under coding_below participants below coding_low_share or above
    coding_high_share: it is not shown as a number. -#}
{% macro public_extreme_share(share, participants) -%}
    (not {{ public_small_group(participants) }}
     and {{ participants }} < {{ var('coding_below') }}
     and ({{ share }} < {{ exact_param('coding_low_share') }}
          or {{ share }} > {{ exact_param('coding_high_share') }}))
{%- endmacro %}

{#- The coded form of an extreme share, «< 5 %» or «> 95 %» — only where the code leaves at least
    two possible counts (in a group of 20, «< 5 %» could only mean nobody: then the share is
    hidden as «с» instead). Null otherwise. -#}
{% macro public_share_code(share, participants) -%}
    case
        when {{ public_extreme_share(share, participants) }}
            and {{ participants }} * {{ exact_param('coding_low_share') }} > 1
            and {{ participants }} * (1 - {{ exact_param('coding_high_share') }}) > 1
            then case
                when {{ share }} < {{ exact_param('coding_low_share') }}
                    then '< {{ public_percent(var("coding_low_share")) }} %'
                else '> {{ public_percent(var("coding_high_share")) }} %'
            end
    end
{%- endmacro %}

{#- A share parameter as a percent for the coded text (0.05 → 5, 0.025 → 2,5). -#}
{% macro public_percent(share) -%}
    {%- set percent = ((share | float) * 100) | round(1) -%}
    {{- (percent | int) if percent == (percent | int) else (percent | string | replace('.', ',')) -}}
{%- endmacro %}

{#- Whether a sum that is shown gives away a hidden term: one hidden term is the sum less the
    shown ones; several are each pinned when the sum of what they hide reaches the least
    (lower_sum) or the most (upper_sum; null: unbounded) their bounds allow. Each hidden term has
    room of its own (its bounds differ), so otherwise every one of them could take two values. -#}
{% macro public_sum_gives_away(hidden_terms, lower_sum, hidden_sum, upper_sum) -%}
    ({{ hidden_terms }} = 1
     or ({{ hidden_terms }} > 1
         and not ({{ lower_sum }} < {{ hidden_sum }}
                  and ({{ upper_sum }} is null or {{ hidden_sum }} < {{ upper_sum }}))))
{%- endmacro %}
