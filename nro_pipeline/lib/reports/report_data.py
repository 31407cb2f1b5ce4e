"""What the yearly HTML report shows, read from the marts: tables, cards and chart data.

The tables are made by `report_tables` from the workbook's sheet declarations; the words of coded
values come from `marts.dim_code_labels`, the parameters drawn and quoted from
`marts.year_parameters` (`run_vars`), the difference from the published list from
`list_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from nro_pipeline.lib.reports.labels import load_labels
from nro_pipeline.lib.reports.list_changes import difference_sheet
from nro_pipeline.lib.reports.method_sheet import rule_sets
from nro_pipeline.lib.reports.report_tables import (
    PARTNER_NAME,
    PARTNER_REASON,
    Table,
    data_table,
    load_cohorts,
    load_indicators,
    page_name,
    partner_table,
    school_href,
    sheet_table,
)
from nro_pipeline.lib.reports.run_vars import parameters_of_year
from nro_pipeline.lib.reports.school_map import SchoolMap, load_map
from nro_pipeline.lib.reports.sheets import (
    BENCHMARK,
    DISTANCE_ASSUMED,
    DISTANCE_MEASURED,
    FINAL_LIST_SHEET,
    LIST_SHEET,
    MUNICIPALITY_SHEET,
    PARTNER_SHEET,
    SIGNALS,
    SUPPORT_STAGE,
    WATCH_SHEET,
    WHY,
    subset,
)
from nro_pipeline.lib.reports.support_outcomes import SupportOutcomes, load_support_outcomes
from nro_pipeline.lib.reports.warehouse import ExportError, require_year

__all__ = ["ReportData", "ReportError", "Table", "load_report", "page_name", "school_href"]

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
    SUPPORT_STAGE,
    BENCHMARK,
    SIGNALS,
    "Причины включения в список",
)
WATCH_HTML_HEADERS = (
    "Код ОО",
    SCHOOL_NAME,
    "Муниципалитет",
    "Кластер",
    "Процедур с низким результатом",
    "Движение в списке",
    BENCHMARK,
    WHY,
)
# The final list beside the preliminary one (docs/methodology.md, «Решения региона»).
FINAL_HTML_HEADERS = (
    "Код ОО",
    SCHOOL_NAME,
    "Муниципалитет",
    "В итоговом списке",
    "В предварительном списке",
    "Решение региона",
    "Обоснование",
    "Наименование школы-партнёра",
    "Партнёр",
    "Партнёр по методике",
    "Отступления от методики",
)
PARTNER_HTML_HEADERS = (
    "Код ОО",  # for the links only: `partner_table` leaves it out
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


class ReportError(ExportError):
    """The report cannot be made (no warehouse, no marts for the year)."""


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
    final_list: Table  # every school of the preliminary or the final list, with the decisions
    partners: Table
    cohorts: Table
    municipalities: Table
    watch: Table
    school_map: SchoolMap
    rule_sets: list[str]
    parameters_note: str  # where the parameters drawn and quoted come from
    changes_summary: str  # when the list was published and whether it changed since
    changes: Table  # schools added to / removed from the published list
    schools_listed: int
    pairs_matched: int
    support: SupportOutcomes  # «Результаты поддержки»: the programme effect, drawn and tabled


def _one(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> tuple[Any, ...]:
    row = con.execute(sql, {"year": year}).fetchone()
    if row is None:
        raise ReportError(f"no row for {year} in the marts; run `nro run --years {year}`")
    return row


def load_cards(con: duckdb.DuckDBPyConnection, year: int, pairs: int) -> list[Card]:
    total, listed, with_partner, unfavourable, final = _one(
        con,
        "select schools_total, schools_on_list, schools_with_partner, schools_unfavourable, "
        "final_list_schools from marts.mart_indicators where year = $year",
        year,
    )
    return [
        Card("Школ в реестре", str(total)),
        Card("В списке ШНОР", str(listed), f"{fmt_share(listed / total if total else None)} школ"),
        Card("В итоговом списке", str(final), "с учётом решений региона"),
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
    labels = load_labels(con, "cluster")
    return [
        LegendItem(cluster, labels.get(cluster, cluster), colour, int(counts.get(cluster, 0)))
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
    parameters = parameters_of_year(con, year)
    return scatter_chart(
        rows,
        parameters.number("result_level_low"),
        parameters.number("result_level_high"),
        load_labels(con, "cluster"),
    )


def load_share_chart(con: duckdb.DuckDBPyConnection, year: int) -> BarChart:
    rows = con.execute(
        "select year, schools_on_list, schools_total from marts.mart_indicators "
        "where year <= $year order by year",
        {"year": year},
    ).fetchall()
    return share_chart(rows, year)


def load_report(con: duckdb.DuckDBPyConnection, year: int, warehouse: Path | str) -> ReportData:
    try:
        require_year(con, year, warehouse)
    except ExportError as error:
        raise ReportError(str(error)) from None
    school_list = sheet_table(con, subset(LIST_SHEET, LIST_HTML_HEADERS), year, SCHOOL_NAME)
    partners = partner_table(
        sheet_table(con, subset(PARTNER_SHEET, PARTNER_HTML_HEADERS), year, SCHOOL_NAME)
    )
    changes = difference_sheet(con, year)
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
        final_list=sheet_table(
            con, subset(FINAL_LIST_SHEET, FINAL_HTML_HEADERS), year, SCHOOL_NAME
        ),
        partners=partners,
        cohorts=load_cohorts(con, year),
        municipalities=municipality_table(con, year),
        watch=sheet_table(con, subset(WATCH_SHEET, WATCH_HTML_HEADERS), year, SCHOOL_NAME),
        school_map=load_map(con, year, {i: school_href(i) for i in all_school_ids(con, year)}),
        rule_sets=rule_sets(con, year),
        parameters_note=parameters_of_year(con, year).source_note(),
        changes_summary=changes.note,
        changes=data_table(changes, SCHOOL_NAME, school_href),
        schools_listed=len(school_list.rows),
        pairs_matched=int(pairs),
        support=load_support_outcomes(con, year),
    )
