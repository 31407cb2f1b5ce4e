"""The SVG grid and axes the report's and the school pages' charts share, as Jinja macros.

Prepended to a template that draws a chart (`charts.py` computes the positions): one markup for
every chart's ticks, so the charts look alike and a change of style is made once.
"""

CHART_MACROS = """{% macro y_grid(c) %}
{% for t in c.y_ticks %}
  <line class="grid" x1="{{ c.left }}" x2="{{ c.right }}" y1="{{ t.position }}" y2="{{ t.position }}"/>
  <text x="{{ c.left - 6 }}" y="{{ t.position + 4 }}" text-anchor="end" font-size="12">{{ t.label }}</text>
{% endfor %}
{% endmacro %}
{% macro x_grid(c, gap=18, size=12, lines=true) %}
{% for t in c.x_ticks %}
{% if lines %}  <line class="grid" x1="{{ t.position }}" x2="{{ t.position }}" y1="{{ c.top }}" y2="{{ c.bottom }}"/>
{% endif %}  <text x="{{ t.position }}" y="{{ c.bottom + gap }}" text-anchor="middle" font-size="{{ size }}">{{ t.label }}</text>
{% endfor %}
{% endmacro %}
{% macro bottom_axis(c) %}
  <line class="axis" x1="{{ c.left }}" x2="{{ c.right }}" y1="{{ c.bottom }}" y2="{{ c.bottom }}"/>
{% endmacro %}
"""
