"""What the public edition shows, declared once as data for its workbook and its site.

Every spec reads schema `public` only — the views where dbt has already applied the disclosure
rules (docs/methodology.md, «Публичная версия») — so nothing the rules hide can reach a public
page or sheet. A hidden figure is null there; its column's marker shows «с» (or the coded share
«< 5 %» / «> 95 %») in its place.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import duckdb

from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.publish.freshness import year_parameters
from nro_pipeline.lib.reports.formatting import Column, russian_number
from nro_pipeline.lib.reports.sheets import SheetData, SheetSpec, fetch_sheet

SUPPRESSED = "с"  # конфиденциально: as statistical offices mark a suppressed cell
PUBLIC_SCHEMA = "public"
DISCLAIMER = (
    "Результаты служат анализу и поддержке школ, а не рейтингованию школ и оценке учителей "
    "(письмо Рособрнадзора от 18.04.2025 № 02-86)."
)
_DISCLOSURE_PARAMETERS = ("suppress_below", "coding_below", "coding_low_share", "coding_high_share")


def _hidden(flag: str, code: str = "") -> str:
    """Marker SQL: «с» (or the code) where the view says the figure is suppressed."""
    shown = f"coalesce({code}, '{SUPPRESSED}')" if code else f"'{SUPPRESSED}'"
    return f"case when {flag} then {shown} end"


SCHOOL_COLUMNS = (
    Column("Код ОО", "s.school_id", max_width=14),
    Column("Наименование ОО", "s.school_name", max_width=44),
    Column("Муниципалитет", "s.municipality", max_width=28),
)
_BY_NAME = "s.municipality, s.school_name, s.school_id"

LIST_SHEET = SheetSpec(
    title="Списки",
    source="public.low_results s",
    where="s.year = $year and (s.on_initial_list or s.in_final_list)",
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column("В итоговом списке", "s.in_final_list", yes_no=True),
        Column("В предварительном списке", "s.on_initial_list", yes_no=True),
        Column("Решение региона", "s.decision_ru", max_width=14),
        Column("Причины включения в список", "s.reasons", max_width=60),
        Column("Кластер", "s.cluster_ru", max_width=14),
        Column("Движение в списке", "s.list_status_ru", max_width=16),
        Column("Лет в списке подряд", "s.years_on_list", decimals=0),
        Column("Этап поддержки", "s.support_stage_ru", max_width=22),
        Column("Код школы-партнёра", "s.partner_id", max_width=14),
        Column("Школа-партнёр", "s.partner_name", max_width=44),
    ),
    note_on_every_page=True,
)

RESULTS_SHEET = SheetSpec(
    title="Результаты процедур",
    source=(
        "public.procedure_results r join public.schools s "
        "on s.school_id = r.school_id and s.year = r.year"
    ),
    where="r.year = $year",
    order_by=f"{_BY_NAME}, r.procedure_id",
    columns=(
        *SCHOOL_COLUMNS,
        Column("Процедура", "r.procedure_name", max_width=30),
        Column(
            "Участников", "r.participants", decimals=0, marker=_hidden("r.participants_suppressed")
        ),
        Column("Не справились", "r.failed", decimals=0, marker=_hidden("r.failed_suppressed")),
        Column(
            "Доля низких результатов",
            "r.low_share",
            percent=True,
            marker=_hidden("r.low_share_suppressed", "r.low_share_coded"),
        ),
        Column(
            "Интервал: от",
            "r.low_share_ci_lower",
            percent=True,
            marker=_hidden("r.low_share_ci_lower_suppressed"),
        ),
        Column(
            "Интервал: до",
            "r.low_share_ci_upper",
            percent=True,
            marker=_hidden("r.low_share_ci_upper_suppressed"),
        ),
        Column("Низкий результат", "r.is_low", yes_no=True),
    ),
    note_on_every_page=True,
)

BENCHMARK_SHEET = SheetSpec(
    title="Сравнение с похожими",
    source="public.school_benchmark s",
    where="s.year = $year",
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column(
            "Участников процедур отбора",
            "s.participants",
            decimals=0,
            marker=_hidden("s.participants_suppressed"),
        ),
        Column(
            "Доля успешных результатов",
            "s.success_share",
            percent=True,
            marker=_hidden("s.success_share_suppressed", "s.success_share_coded"),
        ),
        Column("Школ в группе сравнения", "s.group_size", decimals=0),
        Column("Доля успешных в группе", "s.group_success_share", percent=True),
        Column(
            "Процентиль среди похожих школ",
            "s.group_percentile",
            percent=True,
            marker=_hidden("s.group_percentile_suppressed"),
        ),
        Column(
            "Сравнение с похожими школами",
            "s.benchmark_level_ru",
            max_width=18,
            marker=_hidden("s.participants_suppressed"),
        ),
    ),
    note_on_every_page=True,
)

EFFECT_SHEET = SheetSpec(
    title="Эффект поддержки",
    source="public.programme_effect e",
    where="coalesce(e.entry_year, $year) <= $year",
    order_by='e.entry_year nulls last, e.horizon, e."group"',
    columns=(
        Column("Год входа в список", "coalesce(cast(e.entry_year as varchar), 'все годы')"),
        Column("Через лет", "e.horizon", decimals=0),
        Column("Группа", "e.group_ru", max_width=24),
        Column("Школ", "e.schools", decimals=0, marker=_hidden("e.schools_suppressed")),
        Column(
            "Изменение доли успешных",
            "e.mean_change",
            percent=True,
            marker=_hidden("e.mean_change_suppressed"),
        ),
        Column(
            "То же у школ сравнения",
            "e.mean_comparison_change",
            percent=True,
            marker=_hidden("e.mean_comparison_change_suppressed"),
        ),
        Column("Эффект", "e.effect", percent=True, marker=_hidden("e.effect_suppressed")),
        Column(
            "Интервал: от",
            "e.effect_ci_lower",
            percent=True,
            marker=_hidden("e.effect_ci_lower_suppressed"),
        ),
        Column(
            "Интервал: до",
            "e.effect_ci_upper",
            percent=True,
            marker=_hidden("e.effect_ci_upper_suppressed"),
        ),
        Column("Вывод", "e.verdict_ru", max_width=20, marker=_hidden("e.schools_suppressed")),
    ),
    key_columns=0,
    note_on_every_page=True,
)

PUBLIC_SHEETS = (LIST_SHEET, RESULTS_SHEET, BENCHMARK_SHEET, EFFECT_SHEET)

# A school page's facts: every school of the year, listed or not (the site only).
FACTS_SHEET = replace(LIST_SHEET, title="Школа", where="s.year = $year")


def disclosure_parameters(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """The thresholds the year's public views were built with (defaults for an older year)."""
    recorded = year_parameters(con, year)
    defaults = dbt_defaults()
    return {name: recorded.get(name, defaults[name]) for name in _DISCLOSURE_PARAMETERS}


def _percent(share: float) -> str:
    return russian_number(share * 100, 0 if float(share * 100).is_integer() else 1)


def notice(parameters: dict[str, Any]) -> str:
    """The disclaimer and the suppression rule in one line, on every public page and sheet."""
    return (
        f"{DISCLAIMER} «{SUPPRESSED}» — конфиденциально: показатель группы менее "
        f"{parameters['suppress_below']} участников не публикуется (и показатель, по которому его "
        f"можно было бы вычислить); доли групп менее {parameters['coding_below']} участников "
        f"ниже {_percent(parameters['coding_low_share'])} % и выше "
        f"{_percent(parameters['coding_high_share'])} % показаны как "
        f"«< {_percent(parameters['coding_low_share'])} %» и "
        f"«> {_percent(parameters['coding_high_share'])} %»."
    )


def public_sheets(con: duckdb.DuckDBPyConnection, year: int) -> list[SheetData]:
    """Every public sheet of the year, each opening with the notice."""
    line = notice(disclosure_parameters(con, year))
    return [replace(fetch_sheet(con, spec, year), note=line) for spec in PUBLIC_SHEETS]
