"""Jinja2 templates of the public edition's site: the year's index and a page per school (static,
inline CSS, no scripts), each opening with the notice (disclaimer and suppression rule).

Elements the tests read: `#notice`, `table` cells, `#results tbody tr`.
"""

from nro_pipeline.lib.reports.site_template import HEAD

_NOTICE = """<p id="notice" class="notice">{{ notice }}</p>
"""

_TABLE = """<table{% if id %} id="{{ id }}"{% endif %}>
<thead><tr>{% for h in table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in table.rows %}{% set r = loop.index0 %}<tr>{% for cell in row %}<td>{% if loop.index0 == table.link_column %}<a href="{{ prefix }}{{ table.hrefs[r] }}">{{ cell }}</a>{% else %}{{ cell }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
"""

TABLE_MACRO = "{% macro show(table, id='', prefix='') %}" + _TABLE + "{% endmacro %}"

INDEX_TEMPLATE = (
    TABLE_MACRO
    + HEAD.replace("{title}", "ШНОР {{ year }} — публичная версия")
    + """<h1>Школы с низкими образовательными результатами — {{ year }} год</h1>
<p class="note">Публичная версия · сформировано {{ generated }}</p>
"""
    + _NOTICE
    + """<h2>Списки</h2>
<p class="note">Школы предварительного и итогового списков, причины, кластер и школа-партнёр.</p>
{{ show(lists, 'lists') }}
<h2>Все школы</h2>
<p class="note">Общая доля успешных результатов по процедурам отбора и сравнение с похожими
  школами; страница школы — по ссылке.</p>
{{ show(schools, 'schools') }}
<h2>Эффект поддержки</h2>
{{ show(effect, 'effect') }}
</main>
</body>
</html>
"""
)

SCHOOL_TEMPLATE = (
    TABLE_MACRO
    + HEAD.replace("{title}", "{{ name }} — ШНОР {{ year }}, публичная версия")
    + """<nav><a href="../index.html">ШНОР {{ year }} — публичная версия</a></nav>
<h1>{{ name }}</h1>
<p class="note">Код ОО {{ school_id }} · {{ municipality }} · данные {{ year }} года,
  сформировано {{ generated }}</p>
"""
    + _NOTICE
    + """<h2>Список и поддержка</h2>
<table id="facts"><tbody>
{% for label, value in facts %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}
</tbody></table>
<h2>Результаты по процедурам</h2>
{{ show(results, 'results') }}
</main>
</body>
</html>
"""
)
