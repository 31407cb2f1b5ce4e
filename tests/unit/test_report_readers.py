"""The officials' outputs read labels, parameters and the published list from the warehouse.

A hand-built DuckDB holds the few marts rows the readers need (labels from the real seed), so
every expected value below is worked out from the rows written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from nro_pipeline import settings
from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.publish.freshness import record_year_builds
from nro_pipeline.lib.publish.published_lists import TABLE, ensure_table
from nro_pipeline.lib.reports.labels import label_sql, load_labels
from nro_pipeline.lib.reports.list_changes import difference_sheet, list_changes
from nro_pipeline.lib.reports.method_sheet import method_sheet
from nro_pipeline.lib.reports.report_data import load_scatter
from nro_pipeline.lib.reports.run_vars import parameters_of_year
from nro_pipeline.lib.reports.sheets import (
    BENCHMARK,
    LIST_SHEET,
    SIGNALS,
    WATCH_SHEET,
    WHY,
    fetch_sheet,
)

YEAR = 2024
SEED = settings.DBT_PROJECT_DIR / "seeds" / "code_labels.csv"

# school, listed, confidence, status, years on list
SCHOOLS = [
    ("L1", True, "clear", "continuing", 2),
    ("L2", True, "borderline", "new", 1),
    ("N1", False, "near_miss", "none", 0),
    ("N2", False, "near_miss", "left", 0),
    ("D1", False, None, "none", 0),
    ("X1", False, None, "none", 0),
    ("X2", False, None, "none", 0),
]
# school: high_marks_excess, not_confirmed_by_oge, sharp_improvement (X2 and L2's benchmark: none)
OBJECTIVITY = {
    "L1": (False, False, False),
    "L2": (True, False, True),
    "N1": (False, False, False),
    "N2": (False, True, False),
    "D1": (False, True, False),
    "X1": (False, False, False),
}
BENCHMARKS = {"L1": ("below", 0.1, 12), "N1": ("typical", 0.5, 12), "D1": ("above", 0.9, 10)}
# N1: OGE rus and VPR math 5 could be low (interval reaches 30 %) but are not; EGE rus is low;
# OGE math is neither. Named in the order of their names.
RESULTS = [
    ("N1", "OGE_rus", "ОГЭ русский язык", False, True),
    ("N1", "VPR_math_5", "ВПР математика 5 класс", False, True),
    ("N1", "EGE_rus", "ЕГЭ русский язык", True, True),
    ("N1", "OGE_math", "ОГЭ математика", False, False),
]


def _build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    con.execute(
        f"create table marts.dim_code_labels as select domain, code, label_ru, sort_order "
        f"from read_csv('{SEED}', header = true, "
        "columns = {'domain': 'varchar', 'code': 'varchar', 'label_ru': 'varchar', "
        "'sort_order': 'integer'})"
    )
    con.execute(
        "create table marts.mart_low_results (school_id varchar, year int, school_name varchar, "
        "municipality varchar, on_initial_list bool, list_confidence varchar, list_status varchar,"
        " years_on_list int, low_procedures int, criterion_1 bool, criterion_2 bool, "
        "reasons varchar, rule_set varchar, support_stage varchar)"
    )
    for school, listed, confidence, status, years in SCHOOLS:
        con.execute(
            "insert into marts.mart_low_results values (?, ?, ?, 'М', ?, ?, ?, ?, 1, ?, false, ?, "
            "'правило', ?)",
            [school, YEAR, f"Школа {school}", listed, confidence, status, years, listed,
             "критерий 1" if listed else None,
             "listed" if listed else ("left_unconfirmed" if status == "left" else "none")],
        )  # fmt: skip
    con.execute(
        "create table marts.mart_school_clusters as select school_id, year, 'at_risk' as cluster, "
        "2 as isbsh_quintile, 0.1::double as isbsh, 0.5::double as result_index, 'neutral' as social_status "
        "from marts.mart_low_results"
    )
    con.execute(
        "create table marts.mart_vpr_objectivity (school_id varchar, year int, "
        "high_marks_excess bool, not_confirmed_by_oge bool, sharp_improvement bool, "
        "objectivity_doubtful bool)"
    )
    for school, signals in OBJECTIVITY.items():
        con.execute(
            "insert into marts.mart_vpr_objectivity values (?, ?, ?, ?, ?, ?)",
            [school, YEAR, *signals, any(signals)],
        )
    con.execute(
        "create table marts.mart_school_benchmark (school_id varchar, year int, "
        "benchmark_level varchar, group_percentile double, group_size int)"
    )
    for school, (level, percentile, size) in BENCHMARKS.items():
        con.execute(
            "insert into marts.mart_school_benchmark values (?, ?, ?, ?, ?)",
            [school, YEAR, level, percentile, size],
        )
    con.execute(
        "create table marts.fct_procedure_results (school_id varchar, year int, "
        "procedure_id varchar, procedure_name varchar, in_selection bool, is_low bool, "
        "could_be_low bool)"
    )
    for school, procedure, name, low, could in RESULTS:
        con.execute(
            "insert into marts.fct_procedure_results values (?, ?, ?, ?, true, ?, ?)",
            [school, YEAR, procedure, name, low, could],
        )


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        _build(connection)
        yield connection


def _by_school(con: duckdb.DuckDBPyConnection, spec) -> dict[str, dict[str, object]]:
    headers = [c.header for c in spec.columns]
    rows = fetch_sheet(con, spec, YEAR).rows
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows}


def test_labels_come_from_the_seed(con: duckdb.DuckDBPyConnection) -> None:
    assert load_labels(con, "benchmark_level") == {
        "above": "выше похожих школ",
        "typical": "как похожие школы",
        "below": "ниже похожих школ",
    }
    assert list(load_labels(con, "objectivity_signal")) == [
        "high_marks_excess",
        "not_confirmed_by_oge",
        "sharp_improvement",
    ]
    assert load_labels(con, "no_such_domain") == {}
    sql = f"select {label_sql('cluster', 'v')} from (values ('at_risk'), ('odd'), (null)) t(v)"
    assert con.execute(sql).fetchall() == [("группа риска",), ("odd",), (None,)]


def test_list_sheet_shows_benchmark_and_objectivity_in_words(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = _by_school(con, LIST_SHEET)
    assert sorted(rows) == ["L1", "L2"]
    l1, l2 = rows["L1"], rows["L2"]
    assert (l1[BENCHMARK], l1["Процентиль среди похожих школ"], l1["Школ в группе сравнения"]) == (
        "ниже похожих школ",
        0.1,
        12,
    )
    assert l1[SIGNALS] == "нет"  # an objectivity row without any signal
    assert l1["Уверенность отнесения"] == "надёжно в списке"
    assert l1["Движение в списке"] == "остаётся в списке"
    assert l1["Этап поддержки"] == "в списке"  # the support stage in the seed's words
    assert l2[BENCHMARK] is None  # no comparison group
    assert l2[SIGNALS] == "завышенная доля отметок «4» и «5»; резкое улучшение в когорте ВПР"
    assert l2["Кластер"] == "группа риска"


def test_watch_sheet_says_why_each_school_is_under_question(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = _by_school(con, WATCH_SHEET)
    assert sorted(rows) == ["D1", "N1", "N2"]  # X1: no signal, X2: no objectivity row
    assert rows["N1"][WHY] == (
        "едва не попала в список: интервал доли «2» достигает порога — ВПР математика 5 класс, "
        "ОГЭ русский язык"
    )
    assert rows["N2"][WHY] == (
        "едва не попала в список: интервал доли «2» достигал порога в прошлые годы (критерий 2); "
        "объективность ВПР под сомнением: ВПР не подтверждается ОГЭ"
    )
    assert rows["D1"][WHY] == "объективность ВПР под сомнением: ВПР не подтверждается ОГЭ"
    assert rows["D1"][BENCHMARK] == "выше похожих школ"
    assert rows["N2"]["Движение в списке"] == "вышла из списка"


def test_reports_use_the_parameters_the_year_was_built_with(
    con: duckdb.DuckDBPyConnection,
) -> None:
    record_year_builds(con, [YEAR], {**dbt_defaults(), "result_level_high": 0.8})
    scatter = load_scatter(con, YEAR)
    low, high = scatter.level_lines
    assert high.label == "высокий ≥ 0,80"
    assert high.position == round(scatter.bottom - (scatter.bottom - scatter.top) * 0.8, 1)
    assert low.label == f"низкий уровень < {dbt_defaults()['result_level_low']:.2f}".replace(
        ".", ","
    )
    parameters = parameters_of_year(con, YEAR)
    assert parameters.recorded and parameters.values["result_level_high"] == 0.8
    assert list(parameters.values) == list(dbt_defaults())  # the project's order
    method = method_sheet(con, YEAR)
    assert ("result_level_high", "0,8") in {row[:2] for row in method.rows}
    assert "marts.year_parameters" in method.note and "не записаны" not in method.note


def test_a_year_without_recorded_parameters_falls_back_and_says_so(
    con: duckdb.DuckDBPyConnection,
) -> None:
    record_year_builds(con, [YEAR], {**dbt_defaults(), "result_level_high": 0.8})
    parameters = parameters_of_year(con, YEAR - 1)
    assert not parameters.recorded and parameters.values == dbt_defaults()
    assert "2023 года не записаны" in parameters.source_note()
    assert "значения по умолчанию" in method_sheet(con, YEAR - 1).note
    con.execute("drop table marts.year_parameters")  # a warehouse older than the record
    assert not parameters_of_year(con, YEAR).recorded


def _publish(con: duckdb.DuckDBPyConnection, publication: int, listed: set[str]) -> None:
    ensure_table(con)
    for school in ("L1", "L2", "R1"):
        con.execute(
            f"insert into {TABLE} (publication_id, year, published_at, school_id, "
            "on_initial_list, list_confidence, reasons, rule_set, input_hashes, parameters) "
            "values (?, ?, ?, ?, ?, null, ?, 'правило', '{}', '{}')",
            [publication, YEAR, datetime(2025, 3, 1, 9, 30), school, school in listed,
             "при публикации" if school in listed else None],
        )  # fmt: skip


def test_difference_from_the_published_list(con: duckdb.DuckDBPyConnection) -> None:
    never = list_changes(con, YEAR)
    assert never.rows == [] and "не публиковался" in never.summary
    _publish(con, 1, {"L1", "R1"})  # R1 was listed, then left the registry; L2 was not listed
    sheet = difference_sheet(con, YEAR)
    assert sheet.rows == [
        ("L2", "Школа L2", "М", "добавлена в список", "критерий 1"),
        ("R1", "нет в реестре года", None, "исключена из списка", "при публикации"),
    ]
    assert sheet.note == (
        "Список 2024 года опубликован 01.03.2025 09:30 UTC (публикация № 1). "
        "Текущий расчёт отличается: добавлено школ — 1, исключено — 1."
    )
    _publish(con, 2, {"L1", "L2"})  # the latest publication is the one compared with
    same = list_changes(con, YEAR)
    assert same.rows == [] and same.summary.endswith("Текущий расчёт с ним совпадает.")
