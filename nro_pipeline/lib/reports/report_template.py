"""The Jinja2 template of the yearly HTML report (kept as a string so it ships inside the package).

Self-contained on purpose: inline CSS and SVG, no scripts, no fonts or images from the network.
Elements the tests count carry ids and classes: `#share-chart rect.bar`, `#scatter circle.point`,
`#school-list tbody tr`, `#watch-list tbody tr`, `#list-changes tbody tr`, `#publication`,
`#parameters-note`, `#partners tbody tr`, `#effect-chart g.effect`, `#effect-table tbody tr`.
"""

from nro_pipeline.lib.reports.chart_macros import CHART_MACROS

REPORT_TEMPLATE = (
    CHART_MACROS
    + """{% macro table(t, id) %}
<table id="{{ id }}">
<thead><tr>{% for h in t.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in t.rows %}
{% set r = loop.index0 %}
<tr>{% for cell in row %}<td{{ ' class="num"' | safe if cell is numeric_text }}>{% if loop.index0 == t.link_column and t.hrefs[r] %}<a href="{{ t.hrefs[r] }}">{{ cell }}</a>{% else %}{{ cell }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% endmacro %}
<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>ШНОР {{ report.year }}: отчёт о школах с низкими образовательными результатами</title>
<style>
  :root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee4; --accent: #1f5f99; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
         color: var(--ink); background: #f6f7f9; }
  main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
  p.lead, p.note { color: var(--muted); margin: 4px 0 12px; }
  .cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
  .card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
  .card .value { font-size: 28px; font-weight: bold; color: var(--accent); }
  .card .label { font-weight: bold; }
  .card .cardnote { color: var(--muted); font-size: 13px; }
  .charts { display: grid; grid-template-columns: 2fr 3fr; gap: 32px; align-items: start; }
  .charts svg { width: 100%; height: auto; }
  @media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
  svg text { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; fill: var(--ink); }
  svg .axis { stroke: #8a96a3; stroke-width: 1; }
  svg .grid { stroke: #e7eaee; stroke-width: 1; }
  svg .level { stroke: #8a96a3; stroke-dasharray: 5 4; }
  svg .bar { fill: #9cb8d3; }
  svg .bar.current { fill: var(--accent); }
  svg .point { fill-opacity: 0.8; }
  svg .point.listed { stroke: #000; stroke-width: 1.5; }
  #map { width: 100%; height: auto; background: #f3f6f9; border: 1px solid var(--line); }
  #map .school { fill-opacity: 0.85; }
  #map .school.listed { stroke: #000; stroke-width: 1.5; }
  #map .pair { stroke: #1f5f99; stroke-width: 1.5; }
  .legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 4px 0 0 48px; font-size: 14px; }
  .legend .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
                    margin-right: 6px; vertical-align: -1px; }
  .legend .swatch.listed { background: #fff; border: 2px solid #000; }
  table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin-top: 8px; }
  th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #eef2f6; position: sticky; top: 0; }
  td.num { text-align: right; white-space: nowrap; }
  tbody tr:nth-child(even) { background: #fafbfc; }
  footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
  @media print { body { background: #fff; } main { padding: 0; } th { position: static; } }
</style>
</head>
<body>
<main>
<h1>Школы с низкими образовательными результатами (ШНОР): {{ report.year }} год</h1>
<p class="lead">Отчёт сформирован {{ report.generated }} по витринам хранилища nro_pipeline:
  отбор по методике Рособрнадзора (приказ № 847 от 19.08.2020), индекс социального
  благополучия школ (ИСБШ), кластеры школ и школы-партнёры.</p>

<section id="counts">
<h2>Основные показатели</h2>
<div class="cards">
{% for card in report.cards %}
  <div class="card"><div class="value">{{ card.value }}</div><div class="label">{{ card.label }}</div>
  {% if card.note %}<div class="cardnote">{{ card.note }}</div>{% endif %}</div>
{% endfor %}
</div>
</section>

<section id="charts">
<div class="charts">
<div>
<h2>Доля школ в списке ШНОР по годам</h2>
{% set c = report.share_chart %}
<svg id="share-chart" role="img" aria-label="Доля школ в списке ШНОР по годам"
     viewBox="0 0 {{ c.width }} {{ c.height }}">
{{ y_grid(c) }}
{{ bottom_axis(c) }}
{% for b in c.bars %}
  <rect class="bar{{ ' current' if b.current }}" x="{{ b.x }}" y="{{ b.y }}" width="{{ b.width }}" height="{{ b.height }}"><title>{{ b.title }}</title></rect>
  <text x="{{ b.x + b.width / 2 }}" y="{{ b.y - 6 }}" text-anchor="middle" font-size="12">{{ b.label }}</text>
  <text x="{{ b.x + b.width / 2 }}" y="{{ c.bottom + 18 }}" text-anchor="middle" font-size="13"{{ ' font-weight="bold"' | safe if b.current }}>{{ b.category }}</text>
{% endfor %}
</svg>
<p class="note">Доля школ реестра, включённых в предварительный список (критерий 1 или 2).</p>
</div>

<div>
<h2>ИСБШ и результаты школ, кластеры</h2>
{% set s = report.scatter %}
<svg id="scatter" role="img" aria-label="ИСБШ и индекс образовательных результатов"
     viewBox="0 0 {{ s.width }} {{ s.height }}">
{{ y_grid(s) }}
{{ x_grid(s) }}
{% for t in s.level_lines %}
  <line class="level" x1="{{ s.left }}" x2="{{ s.right }}" y1="{{ t.position }}" y2="{{ t.position }}"/>
  <text x="{{ s.right - 4 }}" y="{{ t.position - 4 }}" text-anchor="end" font-size="11">{{ t.label }}</text>
{% endfor %}
{{ bottom_axis(s) }}
  <line class="axis" x1="{{ s.left }}" x2="{{ s.left }}" y1="{{ s.top }}" y2="{{ s.bottom }}"/>
{% for p in s.points %}
  <circle class="point{{ ' listed' if p.listed }}" data-cluster="{{ p.cluster }}" cx="{{ p.x }}" cy="{{ p.y }}" r="{{ 5 if p.listed else 4 }}" fill="{{ p.colour }}"><title>{{ p.title }}</title></circle>
{% endfor %}
  <text x="{{ (s.left + s.right) / 2 }}" y="{{ s.height - 10 }}" text-anchor="middle" font-size="13">ИСБШ (больше — благополучнее социальные условия)</text>
  <text transform="translate(16 {{ (s.top + s.bottom) / 2 }}) rotate(-90)" text-anchor="middle" font-size="13">Индекс образовательных результатов (ИОР)</text>
</svg>
<div class="legend">
{% for item in report.legend %}
  <span data-cluster="{{ item.cluster }}"><span class="swatch" style="background: {{ item.colour }}"></span>{{ item.label }} — {{ item.count }}</span>
{% endfor %}
  <span><span class="swatch listed"></span>в списке ШНОР</span>
</div>
<p class="note">Точка — школа с ИСБШ и ИОР ({{ s.points | length }}). Резильентные школы —
  высокие результаты в нейтральных или неблагоприятных условиях — кандидаты в школы-партнёры.</p>
</div>
</div>
</section>

<section id="map-section">
<h2>Карта школ</h2>
{% set m = report.school_map %}
<svg id="map" role="img" aria-label="Карта школ" viewBox="0 0 {{ m.width }} {{ m.height }}">
{% for l in m.lines %}
  <line class="pair" x1="{{ l.x1 }}" y1="{{ l.y1 }}" x2="{{ l.x2 }}" y2="{{ l.y2 }}"><title>{{ l.title }}</title></line>
{% endfor %}
{% for k in m.marks %}
  <a href="{{ k.href }}"><circle class="school{{ ' listed' if k.listed }}" data-id="{{ k.school_id }}" cx="{{ k.x }}" cy="{{ k.y }}" r="{{ 6 if k.listed else 4 }}" fill="{{ k.colour }}"><title>{{ k.title }}</title></circle></a>
{% endfor %}
</svg>
<p class="note">Точка — школа с координатами ({{ m.marks | length }}), цвет — кластер, обведены
  школы списка ШНОР; линия — пара «школа — партнёр».{% if m.without_coordinates %} Без координат:
  {{ m.without_coordinates }} (для них расстояние до партнёра принято условно).{% endif %}</p>
</section>

<section id="by-municipality">
<h2>Итоги по муниципалитетам</h2>
{{ table(report.municipalities, "municipalities") }}
</section>

<section id="indicators">
<h2>Показатели проекта по годам</h2>
{{ table(report.indicators, "indicator-table") }}
</section>

<section>
<h2>Список ШНОР на {{ report.year }} год ({{ report.school_list.rows | length }})</h2>
{% if report.school_list.rows %}
{% for rule in report.rule_sets %}<p class="note" id="rule-set">Правило отбора: {{ rule }}</p>{% endfor %}
<p class="note" id="parameters-note">{{ report.parameters_note }}</p>
<p class="note">Сравнение с похожими школами — место школы по доле успешных результатов среди
  ближайших по социальным условиям школ года (процентиль в группе сравнения); сигналы
  необъективности ВПР — признаки того, что хорошие результаты ВПР могут быть завышены.</p>
{{ table(report.school_list, "school-list") }}
{% else %}
<p class="note">В {{ report.year }} году ни одна школа не вошла в список.</p>
{% endif %}
</section>

<section id="final-list">
<h2>Итоговый список на {{ report.year }} год
  ({{ report.final_list.rows | selectattr(3, "equalto", "да") | list | length }})</h2>
<p class="note">Решения региона по предварительному списку: подтвердить, включить или исключить
  школу с обоснованием, и школа-партнёр заключённого соглашения. Если партнёр согласован не по
  правилам методики, это сказано в последнем столбце; решение региона остаётся в силе.</p>
{% if report.final_list.rows %}
{{ table(report.final_list, "final-list") }}
{% else %}
<p class="note">В {{ report.year }} году в списках нет ни одной школы.</p>
{% endif %}
</section>

<section>
<h2>Вне списка, но под вопросом ({{ report.watch.rows | length }})</h2>
<p class="note">Школы не в списке, которые едва не попали в него (результат мог бы быть низким:
  доверительный интервал достигает порога) или чьи результаты ВПР вызывают сомнение.</p>
{% if report.watch.rows %}
{{ table(report.watch, "watch-list") }}
{% else %}
<p class="note">Таких школ нет.</p>
{% endif %}
</section>

<section id="published-difference">
<h2>Отличия от опубликованного списка ({{ report.changes.rows | length }})</h2>
<p class="note" id="publication">{{ report.changes_summary }}</p>
{% if report.changes.rows %}
{{ table(report.changes, "list-changes") }}
{% endif %}
</section>

<section>
<h2>Школы-партнёры (подобрано пар: {{ report.pairs_matched }})</h2>
{% if report.partners.rows %}
{{ table(report.partners, "partners") }}
{% else %}
<p class="note">Нет школ в списке — партнёры не подбирались.</p>
{% endif %}
</section>

<section id="support-outcomes">
<h2>Результаты поддержки</h2>
{% set sup = report.support %}
<p class="note" id="effect-note">{{ sup.comparison_note }}</p>
{% if sup.table.rows %}
{% set e = sup.chart %}
<svg id="effect-chart" role="img" aria-label="Эффект поддержки по году входа в список и горизонту"
     viewBox="0 0 {{ e.width }} {{ e.height }}">
{{ x_grid(e, gap=16, size=11) }}
  <line class="axis" x1="{{ e.zero }}" x2="{{ e.zero }}" y1="{{ e.top }}" y2="{{ e.bottom }}"/>
{% for l in e.lines %}
  <g class="effect" data-group="{{ l.group }}"><title>{{ l.title }}</title>
  <text x="{{ e.left - 8 }}" y="{{ l.y + 4 }}" text-anchor="end" font-size="11">{{ l.label }}</text>
  {% if l.low is not none %}<line class="interval" x1="{{ l.low }}" x2="{{ l.high }}" y1="{{ l.y }}" y2="{{ l.y }}" stroke="{{ l.colour }}" stroke-width="2"/>{% endif %}
  <circle class="estimate" cx="{{ l.dot }}" cy="{{ l.y }}" r="4" fill="{{ l.colour if l.low is not none else '#fff' }}" stroke="{{ l.colour }}" stroke-width="1.5"/>
  <text x="{{ e.right + 6 }}" y="{{ l.y + 4 }}" font-size="11">{{ l.schools }}</text>
  </g>
{% endfor %}
  <text x="{{ (e.left + e.right) / 2 }}" y="{{ e.height - 4 }}" text-anchor="middle" font-size="12">Эффект: изменение доли успешных результатов сверх похожих школ вне списка</text>
</svg>
<div class="legend">
{% for code, words in sup.group_labels.items() %}
  <span data-group="{{ code }}"><span class="swatch" style="background: {{ sup.group_colours[code] }}"></span>{{ words }}</span>
{% endfor %}
  <span>пустой кружок — одна школа, интервала нет; справа — число школ</span>
</div>
{{ table(sup.table, "effect-table") }}
{% else %}
<p class="note">Пока нечего оценивать: нужны школы, вошедшие в список после первого года данных,
  и хотя бы один следующий год.</p>
{% endif %}
</section>

<section>
<h2>Динамика когорт ВПР ({{ report.year - 1 }} → {{ report.year }})</h2>
{% if report.cohorts.rows %}
<p class="note">Один и тот же класс в двух годах подряд: положительная динамика — доля отметок «2»
  снизилась не меньше чем на пороговое значение, отрицательная — выросла.</p>
{{ table(report.cohorts, "cohorts") }}
{% else %}
<p class="note">Нет данных: для динамики нужны результаты ВПР предыдущего года.</p>
{% endif %}
</section>

<footer>nro_pipeline · витрины marts.mart_low_results, mart_school_clusters, mart_partner_matches,
  mart_isbsh, mart_cohort_dynamics, mart_indicators, mart_school_benchmark, mart_vpr_objectivity,
  mart_similar_schools, mart_list_outcomes, mart_programme_effect, dim_code_labels,
  year_parameters, published_lists · {{ report.year }}</footer>
</main>
</body>
</html>
"""
)
