{#- SQL expression: the standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational
    approximation, relative error below 1.2e-9). The z of a two-sided confidence level L is
    normal_quantile of (1 + L) / 2: 0.95 → 1.959964. `p` must be a column name or a constant (it
    is repeated). DuckDB has no inverse normal function; the numbers below are the coefficients of
    the approximation, not methodology parameters. -#}
{% macro normal_quantile(p) -%}
    {%- set a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239] -%}
    {%- set b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572] -%}
    {%- set p_low = 0.02425 -%}
    {%- set r = '((' ~ p ~ ' - 0.5) * (' ~ p ~ ' - 0.5))' -%}
    case
        when {{ p }} < {{ p_low }} then {{ _normal_quantile_tail('sqrt(-2 * ln(' ~ p ~ '))') }}
        when {{ p }} <= 1 - {{ p_low }} then
            ((((({{ a[0] }} * {{ r }} + {{ a[1] }}) * {{ r }} + {{ a[2] }}) * {{ r }} + {{ a[3] }})
                * {{ r }} + {{ a[4] }}) * {{ r }} + {{ a[5] }}) * ({{ p }} - 0.5)
            / ((((({{ b[0] }} * {{ r }} + {{ b[1] }}) * {{ r }} + {{ b[2] }}) * {{ r }} + {{ b[3] }})
                * {{ r }} + {{ b[4] }}) * {{ r }} + 1)
        else - {{ _normal_quantile_tail('sqrt(-2 * ln(1 - ' ~ p ~ '))') }}
    end
{%- endmacro %}

{% macro _normal_quantile_tail(q) -%}
    {%- set c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] -%}
    {%- set d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] -%}
    ((((({{ c[0] }} * {{ q }} + {{ c[1] }}) * {{ q }} + {{ c[2] }}) * {{ q }} + {{ c[3] }}) * {{ q }}
        + {{ c[4] }}) * {{ q }} + {{ c[5] }})
    / (((({{ d[0] }} * {{ q }} + {{ d[1] }}) * {{ q }} + {{ d[2] }}) * {{ q }} + {{ d[3] }}) * {{ q }} + 1)
{%- endmacro %}
