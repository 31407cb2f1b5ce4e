"""Jinja2 templates of the site's school and municipality pages (static, inline CSS and SVG, no
scripts). A school's page is `schools/<code>.html` (one for all its years: links go `../<year>/`),
a municipality's `<year>/municipalities/<n>.html` (links go `../../schools/`).

Elements the tests read: `h1`, `#facts` (a column per year, newest first; `tr.group` heads a group),
`#rules li`, `#success-chart`, `#similar li a`, `#results tbody tr`, `#partner`, `#mentees`,
`#outcomes tbody tr`, `#schools tbody tr`.

The school page's chart is drawn outside its template, since a national site writes 40,000 of them:
its grid and axes by the shared macros (`CHART_GRID`), once for all the pages of the same years and
scale (`school_site`), and its lines by `history_lines`, in Python.
"""

from markupsafe import Markup, escape

from nro_pipeline.lib.reports.chart_macros import CHART_MACROS
from nro_pipeline.lib.reports.charts import HistoryChart

HEAD = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
  body { margin: 0; font: 15px/1.45 "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
         color: #1f2933; background: #f6f7f9; }
  main { max-width: 1200px; margin: 0 auto; padding: 20px 32px 40px; background: #fff; }
  h1 { font-size: 24px; margin: 4px 0; } h2 { font-size: 19px; margin: 28px 0 8px; }
  nav a, a { color: #1f5f99; }
  table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
  th, td { border: 1px solid #d9dee4; padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #eef2f6; }
  #facts th { width: 30%; font-weight: normal; color: #5f6b7a; background: #fafbfc; }
  td.low { background: #fbe3e0; } td.small, td.none { color: #8a96a3; }
  p.note { color: #5f6b7a; }
  p.notice { border-left: 4px solid #c08a00; background: #fff8e1; padding: 6px 10px; }
</style>
</head>
<body>
<main>
"""

# The school's page: the shared head with a few rules of its own (the public edition keeps HEAD).
_SCHOOL_CSS = """
  table.years { table-layout: fixed; } /* every year as wide as the next, merged cells or not */
  table.years td, table.years th { overflow-wrap: break-word; }
  table.years thead th { text-align: center; }
  #facts thead th, #facts tr.group th { width: auto; background: #eef2f6; color: #1f2933;
                                        font-weight: bold; }
  #facts th.label { width: 24%; font-weight: normal; color: #5f6b7a; background: #fafbfc; }
  td.on { background: #fbe3e0; font-weight: bold; }
  #results th.label { width: 18%; }
  #success-chart { width: 100%; max-width: 560px; height: auto; }
  #success-chart .grid { stroke: #e3e7ec; } #success-chart .axis { stroke: #8a96a3; }
  #success-chart polyline { fill: none; stroke-width: 2.5; }
  .school polyline { stroke: #1f5f99; } .school circle { fill: #1f5f99; }
  .group polyline { stroke: #8a96a3; stroke-dasharray: 5 4; } .group circle { fill: #8a96a3; }
  .key { display: inline-block; width: 22px; border-top: 3px solid #1f5f99; vertical-align: middle; }
  .key.group { border-top: 3px dashed #8a96a3; }
</style>"""

# The success chart's grid and axes (`chart_grid(c)` in the school's page).
CHART_GRID = (
    CHART_MACROS
    + "{{ y_grid(c) }}\n{{ bottom_axis(c) }}\n{{ x_grid(c, gap=20, size=13, lines=false) }}"
)


def history_lines(chart: HistoryChart) -> Markup:
    """The success chart's lines: the school's (its points labelled) and its group's."""
    groups = []
    for line in chart.lines:
        school = line.name == "school"
        marks = [f'<g class="{line.name}">\n']
        marks += [f'  <polyline points="{points}"/>\n' for points in line.segments]
        for p in line.points:
            marks.append(
                f'  <circle cx="{p.x}" cy="{p.y}" r="{4.5 if school else 3.5}">'
                f"<title>{escape(p.title)}</title></circle>\n"
            )
            if school:
                marks.append(
                    f'  <text x="{p.x}" y="{p.label_y}" text-anchor="middle" font-size="12">'
                    f"{escape(p.label)}</text>\n"
                )
        groups.append("".join(marks) + "</g>")
    return Markup("\n".join(groups))


SCHOOL_TEMPLATE = (
    HEAD.replace("{title}", "{{ page.name }} — ШНОР, история школы").replace(
        "</style>", _SCHOOL_CSS, 1
    )
    + """<nav>Отчёты по годам:
{% for y in page.years %}<a href="../{{ y }}/index.html">{{ y }}</a>{% if not loop.last %} · {% endif %}{% endfor %}
  · <a href="{{ page.municipality_href }}">{{ page.municipality }}</a></nav>
<h1>{{ page.name }}</h1>
<p class="note">Код ОО {{ page.school_id }} · {{ page.municipality }} · данные
  {{ page.years | last }}–{{ page.years | first }} гг. · страница обновлена {{ updated }}</p>
<p id="summary">{% if page.listed_years %}В списке ШНОР в {{ page.listed_years | join(", ") }}
  {{ "году" if page.listed_years | length == 1 else "годах" }}.{% else %}В списке ШНОР не была
  ни в одном году ({{ page.years | last }}–{{ page.years | first }}).{% endif %}</p>

<h2>Школа по годам</h2>
<table id="facts" class="years">
<thead><tr><th class="label">Показатель</th>{% for y in page.years %}<th><a href="../{{ y }}/index.html">{{ y }}</a></th>{% endfor %}</tr></thead>
<tbody>
{% for group in page.facts %}
<tr class="group"><th colspan="{{ page.years | length + 1 }}">{{ group.title }}</th></tr>
{% for label, cells in group.rows %}<tr><th class="label">{{ label }}</th>{{ cells }}</tr>
{% endfor %}
{% endfor %}
</tbody></table>
{% if page.rules %}
<p class="note">Правило отбора в годы, когда школа была в списке:</p>
<ul id="rules">
{% for y, rule in page.rules %}<li><b>{{ y }}</b>: {{ rule }}</li>
{% endfor %}
</ul>
{% endif %}

<h2>Доля успешных результатов по годам</h2>
{% set c = page.chart %}
<svg id="success-chart" role="img" aria-label="Доля успешных результатов школы и группы сравнения по годам"
     viewBox="0 0 {{ c.width }} {{ c.height }}">
{{ chart_grid(c) }}
{{ history_lines(c) }}
</svg>
<p class="note"><span class="key"></span> школа · <span class="key group"></span> её группа
  сравнения (похожие по ИСБШ школы того же года). Доля успешных — участники, преодолевшие порог, из
  всех участников не малочисленных процедур отбора; года без такой доли пропущены.</p>

<h2>Результаты по процедурам отбора</h2>
<p class="note">Доля участников с отметкой «2» (ГИА — не преодолели минимальный порог), в скобках
  доверительный интервал Уилсона; красным — низкий результат, серым — мало участников.</p>
<table id="results" class="years">
<thead><tr><th class="label">Процедура</th>{% for y in page.result_years %}<th>{{ y }}</th>{% endfor %}</tr></thead>
<tbody>
{% for procedure, cells in page.results %}
<tr><td>{{ procedure }}</td>{{ cells }}</tr>
{% endfor %}
</tbody>
</table>

<h2>Школа-партнёр</h2>
<ul id="partner">
{% for y, text, href, note in page.partners %}
  <li>{{ y }}: {% if href %}<a href="{{ href }}">{{ text }}</a> — {{ note }}{% else %}{{ text }}{% endif %}</li>
{% else %}
  <li>Школа не была в списке ШНОР: партнёр ей не подбирался.</li>
{% endfor %}
</ul>
{% if page.mentees %}
<h2>Школа — партнёр для</h2>
<ul id="mentees">
{% for y, text, href in page.mentees %}<li>{{ y }}: <a href="{{ href }}">{{ text }}</a></li>
{% endfor %}
</ul>
{% endif %}

{% if page.outcomes %}
<h2>Результаты поддержки</h2>
<p class="note">Изменение доли успешных результатов школы после входа в список и то же у похожих по
  стартовому уровню школ, не бывших в списке; эффект — разница между ними.</p>
<table id="outcomes">
<thead><tr><th>Год входа в список</th><th>Через лет</th><th>Доля успешных в год входа</th>
  <th>Доля успешных через эти годы</th><th>Изменение</th><th>Школ сравнения</th>
  <th>Изменение у школ сравнения</th><th>Эффект</th></tr></thead>
<tbody>
{% for row in page.outcomes %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% endif %}

<h2>Похожие школы, {{ page.years | first }} год</h2>
<p class="note">Ближайшие по социальным условиям школы последнего года (признаки ИСБШ): с ними
  сравниваются результаты школы; показаны первые {{ page.similar | length }}.</p>
<ol id="similar">
{% for text, href, note in page.similar %}
  <li><a href="{{ href }}">{{ text }}</a> — {{ note }}</li>
{% else %}
  <li>Группы сравнения нет: у школы нет ИСБШ.</li>
{% endfor %}
</ol>
</main>
</body>
</html>
"""
)

MUNICIPALITY_TEMPLATE = (
    HEAD.replace("{title}", "{{ name }} — ШНОР {{ year }}")
    + """<nav><a href="../index.html">Отчёт {{ year }} года</a></nav>
<h1>{{ name }}</h1>
<p class="note">Школ: {{ schools | length }}; в списке ШНОР:
  {{ schools | selectattr("listed", "equalto", "да") | list | length }} · данные {{ year }} года,
  сформировано {{ generated }}</p>
<table id="schools">
<thead><tr><th>Код ОО</th><th>Наименование ОО</th><th>В списке ШНОР</th><th>Движение в списке</th>
  <th>Кластер</th><th>Квинтиль ИСБШ</th></tr></thead>
<tbody>
{% for s in schools %}
<tr><td>{{ s.school_id }}</td><td><a href="../../schools/{{ s.school_id | page_name }}">{{ s.name }}</a></td>
  <td>{{ s.listed }}</td><td>{{ s.status }}</td><td>{{ s.cluster }}</td><td>{{ s.quintile }}</td></tr>
{% endfor %}
</tbody>
</table>
</main>
</body>
</html>
"""
)
