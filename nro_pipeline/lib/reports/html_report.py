"""A year's HTML report: one static page, readable offline, built from the marts.

`data/reports/<year>/index.html` holds the counts, the share of listed schools over the years, the
ISBSh × result-index scatter coloured by cluster, the list and the partner pairs, the project
indicators and the cohort dynamics. Charts are inline SVG drawn here (no JavaScript, no CDN), so the
page opens from a USB stick on an official's laptop. Tables reuse the column declarations of
`xlsx_export`, so the page and the workbook use the same Russian words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from nro_pipeline import settings
from nro_pipeline.lib.reports.report_template import REPORT_TEMPLATE
from nro_pipeline.lib.reports.xlsx_export import (
    CLUSTER_RU,
    LIST_SHEET,
    PARTNER_SHEET,
    ExportError,
    SheetSpec,
    connect_read_only,
    fetch_sheet,
    require_year,
    russian_number,
)

# Cluster order and colours (colour-blind-safe enough: hue and lightness both differ).
CLUSTER_COLOURS = {
    "resilient": "#2e7d32",
    "stable": "#7b8fa1",
    "at_risk": "#f39c12",
    "crisis": "#c0392b",
}
SUBJECT_RU = {"math": "математика", "rus": "русский язык"}

# The page shows fewer columns than the workbook: it must fit a laptop screen.
LIST_HTML_HEADERS = (
    "Код ОО",
    "Наименование ОО",
    "Муниципалитет",
    "Критерий 1",
    "Критерий 2",
    "Причины включения в список",
)
PARTNER_NAME = "Наименование школы-партнёра"
PARTNER_REASON = "Причина, если партнёр не подобран"
PARTNER_HTML_HEADERS = (
    "Наименование ОО",
    "Муниципалитет",
    PARTNER_NAME,
    "Тип пары",
    "Расстояние, км",
    "Разница ИСБШ (школа − партнёр)",
    "Разница ИОР (партнёр − школа)",
    PARTNER_REASON,
)


class ReportError(ExportError):
    """The report cannot be made (no warehouse, no marts for the year)."""


def reports_dir() -> Path:
    return settings.reports_dir()


# ---------------------------------------------------------------- number formatting (Russian)


def fmt_share(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else russian_number(value * 100, decimals) + " %"


def fmt_number(value: float | None, decimals: int = 2) -> str:
    return "—" if value is None else russian_number(value, decimals)


# ---------------------------------------------------------------- chart geometry


@dataclass(frozen=True)
class Tick:
    position: float  # pixel coordinate along the axis
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # value written above the bar
    category: str  # year written under the bar
    title: str  # tooltip
    current: bool  # the report's year stands out


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    y_ticks: list[Tick]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    colour: str
    cluster: str
    listed: bool
    title: str


@dataclass(frozen=True)
class Scatter:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    level_lines: list[Tick]  # result-level boundaries (ИОР 0.25 and 0.75)


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1.0
    step = nice_step(high - low, count)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def share_chart(rows: Sequence[tuple[int, int, int]], year: int) -> BarChart:
    """Bars of schools_on_list / schools_total per year (rows: year, on list, total)."""
    width, height, left, right, top, bottom = 480, 300, 48.0, 472.0, 28.0, 266.0
    shares = [(y, on / total if total else 0.0, on, total) for y, on, total in rows]
    ticks = nice_ticks(0.0, max([s for _, s, _, _ in shares] + [0.01]) * 1.15, 4)
    top_value = ticks[-1]
    band = (right - left) / max(len(shares), 1)
    bar_width = min(band * 0.6, 56.0)  # a lone first year must not become a wall
    bars = []
    for i, (bar_year, share, on, total) in enumerate(shares):
        bar_height = (bottom - top) * share / top_value
        bars.append(
            Bar(
                x=round(left + band * i + (band - bar_width) / 2, 1),
                y=round(bottom - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label=fmt_share(share),
                category=str(bar_year),
                title=f"{bar_year}: {on} из {total} школ ({fmt_share(share)})",
                current=bar_year == year,
            )
        )
    y_ticks = [
        Tick(round(bottom - (bottom - top) * t / top_value, 1), fmt_share(t, 0)) for t in ticks
    ]
    return BarChart(width, height, left, right, top, bottom, bars, y_ticks)


def scatter_chart(rows: Sequence[tuple[str, str, float, float, str, bool]]) -> Scatter:
    """ISBSh (x) against the result index (y); rows: id, name, isbsh, result_index, cluster, listed."""
    width, height, left, right, top, bottom = 680, 440, 56.0, 668.0, 16.0, 392.0
    xs = [row[2] for row in rows] or [0.0]
    x_ticks = nice_ticks(min(xs), max(xs), 6)
    x_low, x_high = x_ticks[0], x_ticks[-1]

    def px(value: float) -> float:
        return round(left + (right - left) * (value - x_low) / (x_high - x_low), 1)

    def py(value: float) -> float:
        return round(bottom - (bottom - top) * value, 1)

    points = [
        Point(
            x=px(isbsh),
            y=py(index),
            colour=CLUSTER_COLOURS.get(cluster, "#555555"),
            cluster=cluster,
            listed=listed,
            title=(
                f"{name} ({school_id}): ИСБШ {fmt_number(isbsh, 3)}, ИОР {fmt_number(index)}, "
                f"{CLUSTER_RU.get(cluster, cluster)}" + (", в списке ШНОР" if listed else "")
            ),
        )
        for school_id, name, isbsh, index, cluster, listed in rows
    ]
    # Listed schools are drawn last, so their outline is never hidden under other points.
    points.sort(key=lambda p: p.listed)
    return Scatter(
        width,
        height,
        left,
        right,
        top,
        bottom,
        points,
        x_ticks=[Tick(px(t), fmt_number(t, 2 if abs(t) < 1 else 1)) for t in x_ticks],
        y_ticks=[Tick(py(t / 4), fmt_number(t / 4)) for t in range(5)],
        level_lines=[Tick(py(0.25), "низкий уровень < 0,25"), Tick(py(0.75), "высокий ≥ 0,75")],
    )


# ---------------------------------------------------------------- data from the marts


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class LegendItem:
    cluster: str
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class ReportData:
    year: int
    generated: str
    cards: list[Card]
    share_chart: BarChart
    scatter: Scatter
    legend: list[LegendItem]
    indicators: Table
    school_list: Table
    partners: Table
    cohorts: Table
    schools_listed: int
    pairs_matched: int


def subset(spec: SheetSpec, headers: Sequence[str]) -> SheetSpec:
    """The sheet with only these columns; a header that no longer exists fails loudly."""
    by_header = {column.header: column for column in spec.columns}
    return replace(spec, columns=tuple(by_header[h] for h in headers))


def sheet_table(con: duckdb.DuckDBPyConnection, spec: SheetSpec, year: int) -> Table:
    data = fetch_sheet(con, spec, year)
    return Table(
        [c.header for c in spec.columns],
        [[c.text(v) for c, v in zip(spec.columns, row, strict=True)] for row in data.rows],
    )


def partner_table(table: Table) -> Table:
    """The reason a school has no partner goes where the partner's name would be.

    On a page, an empty partner column next to a narrow reason column reads badly; in the
    workbook they stay apart so that officials can filter on either.
    """
    partner = table.headers.index(PARTNER_NAME)
    reason = table.headers.index(PARTNER_REASON)
    rows = []
    for row in table.rows:
        merged = list(row)
        if merged[reason]:
            merged[partner] = merged[reason]
        del merged[reason]
        rows.append(merged)
    headers = [h for h in table.headers if h != PARTNER_REASON]
    headers[partner] = "Школа-партнёр (или почему она не подобрана)"
    return Table(headers, rows)


def _one(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> tuple[Any, ...]:
    row = con.execute(sql, {"year": year}).fetchone()
    if row is None:
        raise ReportError(f"no row for {year} in the marts; run `nro run --years {year}`")
    return row


def load_cards(con: duckdb.DuckDBPyConnection, year: int, pairs: int) -> list[Card]:
    total, listed, with_partner, unfavourable = _one(
        con,
        "select schools_total, schools_on_list, schools_with_partner, schools_unfavourable "
        "from marts.mart_indicators where year = $year",
        year,
    )
    return [
        Card("Школ в реестре", str(total)),
        Card("В списке ШНОР", str(listed), f"{fmt_share(listed / total if total else None)} школ"),
        Card("Школ с партнёром", str(with_partner), f"из {listed} школ списка"),
        Card("Пар «школа — партнёр»", str(pairs)),
        Card("ШССУ (1-й квинтиль ИСБШ)", str(unfavourable)),
    ]


def load_legend(con: duckdb.DuckDBPyConnection, year: int) -> list[LegendItem]:
    counts = dict(
        con.execute(
            "select cluster, count(*) from marts.mart_school_clusters where year = $year "
            "group by cluster",
            {"year": year},
        ).fetchall()
    )
    return [
        LegendItem(cluster, CLUSTER_RU[cluster], colour, int(counts.get(cluster, 0)))
        for cluster, colour in CLUSTER_COLOURS.items()
    ]


def load_scatter(con: duckdb.DuckDBPyConnection, year: int) -> Scatter:
    rows = con.execute(
        """
        select c.school_id, s.school_name, c.isbsh, c.result_index, c.cluster, s.on_initial_list
        from marts.mart_school_clusters c
        join marts.mart_low_results s on s.school_id = c.school_id and s.year = c.year
        where c.year = $year and c.isbsh is not null and c.result_index is not null
        order by c.school_id
        """,
        {"year": year},
    ).fetchall()
    return scatter_chart(rows)


def load_share_chart(con: duckdb.DuckDBPyConnection, year: int) -> BarChart:
    rows = con.execute(
        "select year, schools_on_list, schools_total from marts.mart_indicators "
        "where year <= $year order by year",
        {"year": year},
    ).fetchall()
    return share_chart(rows, year)


def load_indicators(con: duckdb.DuckDBPyConnection, year: int) -> Table:
    rows = con.execute(
        """
        select year, schools_total, schools_on_list, schools_on_list / nullif(schools_total, 0),
               share_students_low, gia_pass_share_on_list, share_teachers_trained,
               share_positive_dynamics
        from marts.mart_indicators where year <= $year order by year
        """,
        {"year": year},
    ).fetchall()
    return Table(
        [
            "Год",
            "Школ",
            "В списке ШНОР",
            "Доля школ списка",
            "Доля обучающихся в школах списка",
            "Успешность ГИА в школах списка",
            "Доля педагогов, прошедших ПК",
            "Доля положительной динамики ВПР",
        ],
        [
            [str(y), str(total), str(listed), *(fmt_share(v) for v in shares)]
            for y, total, listed, *shares in rows
        ],
    )


def load_cohorts(con: duckdb.DuckDBPyConnection, year: int) -> Table:
    rows = con.execute(
        """
        select subject, from_grade, to_grade,
               count(*) filter (where dynamics = 'positive'),
               count(*) filter (where dynamics = 'stable'),
               count(*) filter (where dynamics = 'negative'),
               count(*) filter (where dynamics is null)
        from marts.mart_cohort_dynamics where to_year = $year
        group by grouping sets ((subject, from_grade, to_grade), ())
        order by subject nulls last, from_grade
        """,
        {"year": year},
    ).fetchall()
    if all(row[0] is None for row in rows):
        rows = []  # only the grand total of nothing: no cohort step ends this year
    body = []
    for subject, from_grade, to_grade, positive, stable, negative, unrated in rows:
        rated = positive + stable + negative
        step = f"{from_grade} → {to_grade} класс" if subject else "все шаги"
        body.append(
            [
                SUBJECT_RU.get(subject, subject) if subject else "Итого",
                step,
                str(positive),
                str(stable),
                str(negative),
                str(unrated),
                fmt_share(positive / rated if rated else None),
            ]
        )
    return Table(
        [
            "Предмет",
            f"Шаг когорты ({year - 1} → {year})",
            "Положительная",
            "Стабильная",
            "Отрицательная",
            "Не оценивается (мало участников)",
            "Доля положительной",
        ],
        body,
    )


def load_report(con: duckdb.DuckDBPyConnection, year: int, warehouse: Path | str) -> ReportData:
    try:
        require_year(con, year, warehouse)
    except ExportError as error:
        raise ReportError(str(error)) from None
    school_list = sheet_table(con, subset(LIST_SHEET, LIST_HTML_HEADERS), year)
    partners = partner_table(sheet_table(con, subset(PARTNER_SHEET, PARTNER_HTML_HEADERS), year))
    (pairs,) = _one(
        con, "select count(partner_id) from marts.mart_partner_matches where year = $year", year
    )
    return ReportData(
        year=year,
        generated=date.today().strftime("%d.%m.%Y"),
        cards=load_cards(con, year, int(pairs)),
        share_chart=load_share_chart(con, year),
        scatter=load_scatter(con, year),
        legend=load_legend(con, year),
        indicators=load_indicators(con, year),
        school_list=school_list,
        partners=partners,
        cohorts=load_cohorts(con, year),
        schools_listed=len(school_list.rows),
        pairs_matched=int(pairs),
    )


# ---------------------------------------------------------------- rendering and writing


_NUMERIC = re.compile(r"—|[−-]?\d[\d ]*(,\d+)?( %)?")


def is_numeric_text(text: str) -> bool:
    """Cells holding a formatted number are right-aligned in the tables."""
    return bool(_NUMERIC.fullmatch(text))


def render(data: ReportData) -> str:
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    environment.tests["numeric_text"] = is_numeric_text
    return environment.from_string(REPORT_TEMPLATE).render(report=data)


def preview_markdown(data: ReportData, limit: int = 10) -> str:
    """The first rows of the list as a Markdown table (Dagster metadata preview)."""
    table = data.school_list
    keep = [table.headers.index(h) for h in ("Код ОО", "Наименование ОО", "Муниципалитет")]
    lines = [
        "| " + " | ".join(table.headers[i] for i in keep) + " |",
        "|" + "---|" * len(keep),
    ]
    for row in table.rows[:limit]:
        lines.append("| " + " | ".join(row[i].replace("|", "\\|") for i in keep) + " |")
    if len(table.rows) > limit:
        lines.append(f"\n… всего школ в списке: {len(table.rows)}")
    return "\n".join(lines)


def write_report(
    con: duckdb.DuckDBPyConnection, year: int, out_dir: Path, warehouse: Path | str
) -> tuple[Path, ReportData]:
    """Render the year's page to `<out_dir>/<year>/index.html` (replaced atomically)."""
    data = load_report(con, year, warehouse)
    target = out_dir / str(year) / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(".index.html.partial")
    partial.write_text(render(data), encoding="utf-8")
    partial.replace(target)
    return target, data


def report_year(warehouse: Path, year: int, out_dir: Path | None = None) -> tuple[Path, ReportData]:
    """Open the warehouse read-only and write the year's report."""
    try:
        con = connect_read_only(warehouse)
    except ExportError as error:
        raise ReportError(str(error)) from None
    with con:
        return write_report(con, year, (out_dir or reports_dir()).resolve(), warehouse)
