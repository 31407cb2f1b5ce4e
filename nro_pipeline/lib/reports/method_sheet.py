"""The «Методика» sheet: the rule set the list was built with and every parameter in words.

Values come from the warehouse: `mart_low_results.rule_set` (the words the run itself wrote) and
`marts.year_parameters` (the vars the year was built with, read by `run_vars`); only the Russian
explanation of each var is written here.
"""

from __future__ import annotations

import duckdb

from nro_pipeline.lib.reports.formatting import Column
from nro_pipeline.lib.reports.run_vars import parameters_of_year
from nro_pipeline.lib.reports.sheets import SheetData, SheetSpec

# What each dbt var means, for a reader of the order (the values are never written here).
PARAMETER_RU = {
    "low_share_threshold": "Порог низкого результата: доля участников с отметкой «2» не меньше",
    "min_participants": "Наименьшее число участников процедуры (меньше — результат не оценивается)",
    "criterion1_min_procedures": "Критерий 1: наименьшее число процедур с низким результатом в году",
    "criterion2_mode": "Критерий 2: any_procedure — любая процедура, same_procedure — одна и та же",
    "persistence_years": "Критерий 2: число лет подряд с низким результатом",
    "persistence_window_years": "Окно устойчивости низких результатов, лет",
    "flag_confidence_level": "Уровень доверия интервала Уилсона для доли отметок «2»",
    "isbsh_method": "Способ расчёта весов ИСБШ: ols — по данным года, fixed — заданные веса",
    "result_level_high": "Высокий уровень результатов: ИОР не меньше",
    "result_level_low": "Низкий уровень результатов: ИОР меньше",
    "partners_per_school": "Школ-партнёров на одну школу списка",
    "partner_capacity": "Наибольшее число школ у одного партнёра",
    "partner_exclusion_years": "Партнёр не был в списке ни в одном из последних лет",
    "partner_distance_same_municipality_km": (
        "Условное расстояние без координат в одном муниципалитете, км"
    ),
    "partner_distance_other_municipality_km": (
        "Условное расстояние без координат между муниципалитетами, км"
    ),
    "dynamics_threshold": "Изменение доли «2» в когорте, считающееся динамикой",
    "cohort_first_grade": "Когорты ВПР: первый класс",
    "cohort_last_grade": "Когорты ВПР: последний класс",
    "risk_vacancy_rate": "Дефицит кадров: доля вакансий больше",
    "risk_internet_mbps": "Слабая инфраструктура: интернет медленнее, Мбит/с",
    "risk_computers_per_100": "Слабая инфраструктура: компьютеров на 100 обучающихся меньше",
    "risk_remote_km": "Удалённость: дальше от районного центра, км",
    "similar_schools_count": "Число похожих школ в группе сравнения",
    "benchmark_low": "Ниже похожих: процентиль в группе меньше",
    "benchmark_high": "Выше похожих: процентиль в группе не меньше",
    "objectivity_excess": "Объективность ВПР: превышение доли «4» и «5» над регионом не меньше",
    "objectivity_gap": "Объективность ВПР: доля «2» на ОГЭ выше, чем на ВПР 8 класса, не меньше",
    "objectivity_jump": "Объективность ВПР: резкое снижение доли «2» в когорте не меньше",
}

METHOD_SHEET = SheetSpec(
    title="Методика",
    source="",
    where="",
    order_by="",
    key_columns=1,
    columns=(
        Column("Параметр", "", max_width=40),
        Column("Значение", "", max_width=16),
        Column("Что означает", "", max_width=70),
    ),
)


def rule_sets(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The rule set(s) the year's rows were built with, in the run's own words."""
    rows = con.execute(
        "select distinct rule_set from marts.mart_low_results where year = $year order by 1",
        {"year": year},
    ).fetchall()
    return [text for (text,) in rows if text]


def method_sheet(con: duckdb.DuckDBPyConnection, year: int) -> SheetData:
    rows: list[tuple[object, ...]] = [
        ("Правило отбора (из хранилища)", "", text) for text in rule_sets(con, year)
    ]
    rows.append(
        (
            "Документ",
            "",
            "Методика Рособрнадзора (приказ № 847 от 19.08.2020); ИСБШ — методика НИУ ВШЭ",
        )
    )
    parameters = parameters_of_year(con, year)
    for name, value in parameters.values.items():
        rows.append((name, _value_text(value), PARAMETER_RU.get(name, "")))
    note = (
        f"{parameters.source_note()} Правило отбора — в словах, записанных самим расчётом "
        "в витрину mart_low_results."
    )
    return SheetData(METHOD_SHEET, rows, note)


def _value_text(value: object) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)
