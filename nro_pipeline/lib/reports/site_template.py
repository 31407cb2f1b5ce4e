"""Jinja2 templates of the site's school and municipality pages (static, inline CSS, no scripts).

Elements the tests read: `h1`, `#facts`, `#similar li a`, `#results tbody tr`, `#partner`,
`#outcomes tbody tr`, `#schools tbody tr`.
"""

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

SCHOOL_TEMPLATE = (
    HEAD.replace("{title}", "{{ page.name }} — ШНОР {{ year }}")
    + """<nav><a href="../index.html">Отчёт {{ year }} года</a> ·
  <a href="{{ page.municipality_href }}">{{ page.municipality }}</a></nav>
<h1>{{ page.name }}</h1>
<p class="note">Код ОО {{ page.school_id }} · {{ page.municipality }} · данные {{ year }} года,
  сформировано {{ generated }}</p>
<table id="facts"><tbody>
{% for label, value in page.facts %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}
</tbody></table>

<h2>Похожие школы</h2>
<p class="note">Ближайшие по социальным условиям школы того же года (признаки ИСБШ): с ними
  сравниваются результаты школы; показаны первые {{ page.similar | length }}.</p>
<ol id="similar">
{% for text, href, note in page.similar %}
  <li><a href="{{ href }}">{{ text }}</a> — {{ note }}</li>
{% else %}
  <li>Группы сравнения нет: у школы нет ИСБШ.</li>
{% endfor %}
</ol>

<h2>Школа-партнёр</h2>
<ul id="partner">
{% for text, href, note in page.partners %}
  <li>{% if href %}<a href="{{ href }}">{{ text }}</a> — {{ note }}{% else %}{{ text }}{% endif %}</li>
{% else %}
  <li>Школа не в списке ШНОР: партнёр ей не подбирается.</li>
{% endfor %}
</ul>
{% if page.mentees %}
<h2>Школа — партнёр для</h2>
<ul id="mentees">
{% for text, href in page.mentees %}<li><a href="{{ href }}">{{ text }}</a></li>{% endfor %}
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

<h2>Результаты по процедурам отбора</h2>
<p class="note">Доля участников с отметкой «2» (ГИА — не преодолели минимальный порог), в скобках
  доверительный интервал Уилсона; красным — низкий результат, серым — мало участников.</p>
<table id="results">
<thead><tr><th>Процедура</th>{% for y in page.years %}<th>{{ y }}</th>{% endfor %}</tr></thead>
<tbody>
{% for procedure, cells in page.results %}
<tr><td>{{ procedure }}</td>{% for text, css in cells %}<td class="{{ css }}">{{ text }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
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
<tr><td>{{ s.school_id }}</td><td><a href="../schools/{{ s.school_id | page_name }}">{{ s.name }}</a></td>
  <td>{{ s.listed }}</td><td>{{ s.status }}</td><td>{{ s.cluster }}</td><td>{{ s.quintile }}</td></tr>
{% endfor %}
</tbody>
</table>
</main>
</body>
</html>
"""
)
