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
    "exit_years": "Выход из поддержки: лет подряд вне списка не меньше",
    "exit_min_gain": (
        "Выход из поддержки: рост доли успешных результатов с последнего года в списке не меньше"
    ),
    "escalation_years": "Усилить поддержку: лет подряд в списке не меньше",
    "outcome_horizon_years": "Результаты поддержки: сколько лет прослеживается каждый вход в список",
    "outcome_matches": "Результаты поддержки: школ сравнения того же стартового уровня на школу",
    # regional variants and presets (docs/methodology.md, «Варианты методики и пресеты»)
    "preset": "Пресет методики региона (nro run --preset), пусто — федеральная методика",
    "selection_procedures": "Процедуры отбора пресета (пусто — по справочнику procedures)",
    "result_level_scope": (
        "ИОР: region — ранг среди всех школ, social_status — внутри группы социального статуса"
    ),
    "social_status_method": "Социальный статус: quintile — по квинтилям, threshold — по порогам ИСБШ",
    "isbsh_unfavourable_max": "Неблагоприятный статус: ИСБШ не больше (при threshold)",
    "isbsh_favourable_min": "Благополучный статус: ИСБШ не меньше (при threshold)",
    "isbsh_fixed_weights": "Заданные веса и шкала ИСБШ пресета (пусто — по справочнику)",
    "isbsh_features": "Признаки ИСБШ: all — все, significant — только значимые",
    "isbsh_feature_p": "Значимость признака ИСБШ: p-значение меньше",
    "partner_pool": "Партнёры: high_results — высокие результаты, resilient — резильентные школы",
    "partner_high_years": "Партнёр: высокий уровень результатов лет подряд",
    "partner_mentees": (
        "Кому подбирается партнёр: list — школам списка, list_and_unfavourable — и школам ШССУ"
    ),
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
    preset = parameters.values.get("preset")
    rows.append(  # the region's preset by name (docs/methodology.md)
        (
            "Пресет методики",
            str(preset) if preset else "—",
            "Методика региона из presets/ (nro run --preset)"
            if preset
            else "Федеральная методика: параметры по умолчанию и заданные вручную (--var)",
        )
    )
    for name, value in parameters.values.items():
        rows.append((name, _value_text(value), PARAMETER_RU.get(name, "")))
    note = (
        f"{parameters.source_note()} Правило отбора — в словах, записанных самим расчётом "
        "в витрину mart_low_results."
    )
    return SheetData(METHOD_SHEET, rows, note)


def _value_text(value: object) -> str:
    if value is None:  # a variant not set (docs/methodology.md): the federal method
        return "—"
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)
