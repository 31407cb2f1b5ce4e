"""What the yearly HTML report shows, read from the marts: tables, cards and chart data.

Tables reuse the sheet declarations of the workbook (`sheets`), with fewer columns: a page must
fit a laptop screen. School names link to the school's page of the site (`site`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from nro_pipeline.lib.reports.charts import (
    CLUSTER_COLOURS,
    BarChart,
    Scatter,
    scatter_chart,
    share_chart,
)
from nro_pipeline.lib.reports.formatting import fmt_share
from nro_pipeline.lib.reports.labels import CLUSTER_RU, SUBJECT_RU
from nro_pipeline.lib.reports.method_sheet import rule_sets
from nro_pipeline.lib.reports.run_vars import number
from nro_pipeline.lib.reports.school_map import SchoolMap, load_map
from nro_pipeline.lib.reports.sheets import (
    DISTANCE_ASSUMED,
    DISTANCE_MEASURED,
    LIST_SHEET,
    MUNICIPALITY_SHEET,
    PARTNER_SHEET,
    WATCH_SHEET,
    SheetSpec,
    fetch_sheet,
    subset,
)
from nro_pipeline.lib.reports.warehouse import ExportError, require_year

SCHOOL_NAME = "Наименование ОО"
LIST_HTML_HEADERS = (
    "Код ОО",
    SCHOOL_NAME,
    "Муниципалитет",
    "Кластер",
    "Квинтиль ИСБШ",
    "Критерий 1",
    "Критерий 2",
    "Уверенность отнесения",
    "Движение в списке",
    "Лет в списке подряд",
    "Причины включения в список",
)
WATCH_HTML_HEADERS = (
    "Код ОО",
    SCHOOL_NAME,
    "Муниципалитет",
    "Кластер",
    "Процедур с низким результатом",
    "Движение в списке",
    "Почему под вопросом",
)
PARTNER_NAME = "Наименование школы-партнёра"
PARTNER_REASON = "Причина, если партнёр не подобран"
DISTANCE = "Расстояние, км"
PARTNER_HTML_HEADERS = (
    SCHOOL_NAME,
    "Муниципалитет",
    "Код школы-партнёра",
    PARTNER_NAME,
    "Муниципалитет школы-партнёра",
    "Тип пары",
    DISTANCE_MEASURED,
    DISTANCE_ASSUMED,
    "Разница ИСБШ (школа − партнёр)",
    "Разница ИОР (партнёр − школа)",
    PARTNER_REASON,
)
ASSUMED_MARK = "условно: нет координат"


class ReportError(ExportError):
    """The report cannot be made (no warehouse, no marts for the year)."""


def school_href(school_id: str) -> str:
    """The school's page, relative to the year's index page."""
    return f"schools/{page_name(school_id)}"


def page_name(key: str) -> str:
    """A file name for any code: letters, digits, - and _ kept, anything else as its hex."""
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else f"~{ord(ch):x}" for ch in key
    )
    return f"{safe}.html"


def municipality_pages(names: list[str]) -> dict[str, str]:
    """Each municipality's page, relative to the year's index page (numbered in name order)."""
    return {m: f"municipalities/{i:03d}.html" for i, m in enumerate(sorted(names), start=1)}


def municipality_table(con: duckdb.DuckDBPyConnection, year: int) -> Table:
    table = sheet_table(con, MUNICIPALITY_SHEET, year)
    pages = municipality_pages([row[0] for row in table.rows[:-1]])  # the last row: the region
    return Table(table.headers, table.rows, [pages.get(row[0], "") for row in table.rows], 0)


def all_school_ids(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    rows = con.execute(
        "select school_id from marts.mart_low_results where year = $year order by 1",
        {"year": year},
    ).fetchall()
    return [school_id for (school_id,) in rows]


def partner_table(table: Table) -> Table:
    """One distance column, assumed distances said to be assumed; the reason a school has no
    partner goes where the partner's name would be (the workbook keeps them apart for filters)."""
    at = table.headers.index
    partner, reason = at(PARTNER_NAME), at(PARTNER_REASON)
    measured, assumed = at(DISTANCE_MEASURED), at(DISTANCE_ASSUMED)
    rows = []
    for row in table.rows:
        merged = list(row)
        if merged[reason]:
            merged[partner] = merged[reason]
        if merged[assumed]:
            merged[measured] = f"{merged[assumed]} ({ASSUMED_MARK})"
        rows.append([cell for i, cell in enumerate(merged) if i not in (reason, assumed)])
    headers = [h for i, h in enumerate(table.headers) if i not in (reason, assumed)]
    headers[partner] = "Школа-партнёр (или почему она не подобрана)"
    headers[measured] = DISTANCE
    return Table(headers, rows, table.hrefs, table.link_column)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    hrefs: list[str] = field(default_factory=list)  # per row: where the linked cell points
    link_column: int = -1  # the cell of each row that links to its page (-1: none)


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
    municipalities: Table
    watch: Table
    school_map: SchoolMap
    rule_sets: list[str]
    schools_listed: int
    pairs_matched: int


def sheet_table(
    con: duckdb.DuckDBPyConnection, spec: SheetSpec, year: int, link: str = ""
) -> Table:
    """The sheet's rows as text; with `link` (a header), that cell links to the school's page."""
    data = fetch_sheet(con, spec, year)
    headers = [c.header for c in spec.columns]
    rows = [[c.text(v) for c, v in zip(spec.columns, row, strict=True)] for row in data.rows]
    if not link:
        return Table(headers, rows)
    ids = [str(row[0]) for row in data.rows]  # every school sheet opens with the school's code
    return Table(headers, rows, [school_href(i) for i in ids], headers.index(link))


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
    return scatter_chart(rows, number("result_level_low"), number("result_level_high"))


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
    school_list = sheet_table(con, subset(LIST_SHEET, LIST_HTML_HEADERS), year, SCHOOL_NAME)
    partners = partner_table(
        sheet_table(con, subset(PARTNER_SHEET, PARTNER_HTML_HEADERS), year, SCHOOL_NAME)
    )
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
        municipalities=municipality_table(con, year),
        watch=sheet_table(con, subset(WATCH_SHEET, WATCH_HTML_HEADERS), year, SCHOOL_NAME),
        school_map=load_map(con, year, {i: school_href(i) for i in all_school_ids(con, year)}),
        rule_sets=rule_sets(con, year),
        schools_listed=len(school_list.rows),
        pairs_matched=int(pairs),
    )
