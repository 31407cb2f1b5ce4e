"""The report's «Результаты поддержки» section: the programme effect with its interval, drawn.

Read from `marts.mart_programme_effect` (docs/methodology.md, «Результаты поддержки»): one line
per entry year × horizon × group — the mean effect as a dot, its confidence interval as a bar,
zero as the reference line — and the same rows as a table. The rows of an entry year are those
known in the report's year (entry year + horizon ≤ year); the pooled rows («все годы входа») pool
every entry year built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.methods.partner_reasons import plural_years
from nro_pipeline.lib.reports.charts import PlotArea, Tick, nice_ticks
from nro_pipeline.lib.reports.formatting import DASH, russian_number
from nro_pipeline.lib.reports.labels import label_of, load_labels
from nro_pipeline.lib.reports.report_tables import Table
from nro_pipeline.lib.reports.run_vars import parameters_of_year

ALL_YEARS = "все годы входа"
GROUP_ORDER = ("all", "with_partner", "without_partner")
GROUP_COLOURS = {"all": "#1f2933", "with_partner": "#1f5f99", "without_partner": "#d35400"}
EFFECT_HEADERS = [
    "Год входа в список",
    "Через лет",
    "Группа",
    "Школ",
    "Изменение доли успешных",
    "У школ сравнения",
    "Эффект",
    "Доверительный интервал эффекта",
    "Вывод",
]


def fmt_points(value: float | None, decimals: int = 1) -> str:
    """A difference of two shares in percentage points, signed: «+3,2 п.п.»."""
    if value is None:
        return DASH
    text = russian_number(value * 100, decimals)
    return ("+" + text if value > 0 and text.strip("0,") else text) + " п.п."


@dataclass(frozen=True)
class EffectLine:
    y: float
    label: str  # entry year and horizon, on the left
    group: str
    colour: str
    dot: float  # x of the mean effect
    low: float | None  # x of the interval's ends (None: fewer than two schools)
    high: float | None
    schools: int
    title: str  # tooltip


@dataclass(frozen=True)
class EffectChart(PlotArea):
    zero: float
    lines: list[EffectLine]
    x_ticks: list[Tick]


@dataclass(frozen=True)
class SupportOutcomes:
    chart: EffectChart
    table: Table
    group_labels: dict[str, str]  # the legend: group code → words, in the seed's order
    group_colours: dict[str, str]
    comparison_note: str  # what the effect is compared with, in one sentence


def effect_chart(rows: Sequence[Sequence[Any]], group_labels: Mapping[str, str]) -> EffectChart:
    """rows: entry_year (None: pooled), horizon, group, schools, effect, lower, upper."""
    # left: room for the longest label («все годы входа, через 2 года · все школы списка»)
    width, left, right, top, row_height = 800, 300.0, 760.0, 12.0, 18.0
    bottom = top + row_height * max(len(rows), 1) + 6
    values = [0.0] + [v for row in rows for v in row[4:7] if v is not None]
    ticks = nice_ticks(min(values), max(values), 6)
    low, high = ticks[0], ticks[-1]

    def px(value: float) -> float:
        return round(left + (right - left) * (value - low) / (high - low), 1)

    lines = []
    for i, (entry, horizon, group, schools, effect, lower, upper) in enumerate(rows):
        words = label_of(group_labels, group)
        period = f"{ALL_YEARS if entry is None else entry}, через {horizon} {plural_years(horizon)}"
        interval = (
            f", интервал {fmt_points(lower)} … {fmt_points(upper)}" if lower is not None else ""
        )
        lines.append(
            EffectLine(
                y=round(top + row_height * (i + 0.5), 1),
                label=f"{period} · {words}",
                group=group,
                colour=GROUP_COLOURS.get(group, "#555555"),
                dot=px(effect),
                low=None if lower is None else px(lower),
                high=None if upper is None else px(upper),
                schools=int(schools),
                title=f"{period}, {words}: эффект {fmt_points(effect)}{interval}, школ {schools}",
            )
        )
    decimals = 0 if all(round(t * 100, 6).is_integer() for t in ticks) else 1
    x_ticks = [Tick(px(t), fmt_points(t, decimals)) for t in ticks]
    return EffectChart(width, int(bottom + 34), left, right, top, bottom, px(0.0), lines, x_ticks)


def load_support_outcomes(con: duckdb.DuckDBPyConnection, year: int) -> SupportOutcomes:
    rows = con.execute(
        """
        select entry_year, horizon, "group", schools, effect, effect_ci_lower, effect_ci_upper,
            mean_change, mean_comparison_change, verdict
        from marts.mart_programme_effect
        where entry_year is null or entry_year + horizon <= $year
        order by entry_year nulls last, horizon,
            case "group" when 'all' then 1 when 'with_partner' then 2 else 3 end
        """,
        {"year": year},
    ).fetchall()
    groups, verdicts = load_labels(con, "group"), load_labels(con, "verdict")
    table = [
        [
            ALL_YEARS if entry is None else str(entry),
            str(horizon),
            label_of(groups, group),
            str(schools),
            fmt_points(change),
            fmt_points(comparison),
            fmt_points(effect),
            DASH if lower is None else f"{fmt_points(lower)} … {fmt_points(upper)}",
            label_of(verdicts, verdict),
        ]
        for entry, horizon, group, schools, effect, lower, upper, change, comparison, verdict in rows
    ]
    parameters = {**dbt_defaults(), **parameters_of_year(con, year).values}
    matches = int(parameters["outcome_matches"])
    level = russian_number(float(parameters["flag_confidence_level"]) * 100, 0)
    note = (
        "Эффект — насколько доля успешных результатов школ, вошедших в список, изменилась больше, "
        "чем у школ того же стартового уровня, которые не были в списке (для каждой школы — до "
        f"{matches} ближайших по доле успешных результатов в год входа): так не засчитывается "
        "улучшение, которое дала бы одна регрессия к среднему. Отрезок — "
        f"{level}-процентный доверительный интервал; если он целиком выше нуля, школы списка "
        "улучшились больше похожих. Это сравнение с подобранными школами, а не "
        "рандомизированный эксперимент."
    )
    return SupportOutcomes(
        chart=effect_chart([row[:7] for row in rows], groups),
        table=Table(EFFECT_HEADERS, table),
        group_labels={code: groups.get(code, code) for code in GROUP_ORDER},
        group_colours=GROUP_COLOURS,
        comparison_note=note,
    )
