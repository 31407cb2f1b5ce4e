"""What the officials' workbook holds, declared once as data: one `SheetSpec` per sheet.

Each spec names a mart, the year's rows (`$year`) and the columns in reading order; the HTML
report and site reuse the same declarations, so the page and the workbook use the same words.
Every school sheet shows the school's name and municipality beside its id, because officials read
names, not codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from nro_pipeline.lib.reports.formatting import NO, Column
from nro_pipeline.lib.reports.labels import label_sql, signals_sql


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: the rows of a mart for the year (`$year`), joined to names, in reading order."""

    title: str
    source: str
    where: str
    order_by: str
    columns: tuple[Column, ...]
    key_columns: int = 2  # columns kept in view when scrolling right (code and name)
    note_on_every_page: bool = False  # the line under the title is printed on every page too

    def query(self) -> str:
        """The columns' values, then the markers of the columns that have one."""
        markers = [column.marker for column in self.columns if column.marker]
        select = ",\n  ".join([column.sql for column in self.columns] + markers)
        return (
            f"select\n  {select}\nfrom {self.source}\nwhere {self.where}\norder by {self.order_by}"
        )


@dataclass
class SheetData:
    spec: SheetSpec
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    note: str = ""  # a line under the title (e.g. the rule set shared by every row)


def fetch_sheet(con: duckdb.DuckDBPyConnection, spec: SheetSpec, year: int) -> SheetData:
    rows = con.execute(spec.query(), {"year": year}).fetchall()
    marked = [i for i, column in enumerate(spec.columns) if column.marker]
    if marked:
        rows = [_with_markers(row, marked, len(spec.columns)) for row in rows]
    return SheetData(spec, rows)


def _with_markers(row: tuple[Any, ...], marked: list[int], width: int) -> tuple[Any, ...]:
    values = list(row[:width])
    for index, marker in zip(marked, row[width:], strict=True):
        if marker is not None:
            values[index] = marker
    return tuple(values)


def subset(spec: SheetSpec, headers: tuple[str, ...]) -> SheetSpec:
    """The sheet with only these columns; a header that no longer exists fails loudly."""
    by_header = {column.header: column for column in spec.columns}
    return replace(spec, columns=tuple(by_header[h] for h in headers))


# School id, name and municipality open every school sheet; `s` is the school's row of
# mart_low_results, which holds the year's registry name for every school of the year.
SCHOOL_COLUMNS = (
    Column("Код ОО", "s.school_id", max_width=14),
    Column("Наименование ОО", "s.school_name", max_width=44),
    Column("Муниципалитет", "s.municipality", max_width=28),
)
_NAMES_OF = (
    "join marts.mart_low_results s on s.school_id = {alias}.school_id and s.year = {alias}.year"
)
_CLUSTER_OF = (
    " left join marts.mart_school_clusters c on c.school_id = s.school_id and c.year = s.year"
)
_BY_NAME = "s.municipality, s.school_name, s.school_id"

_LIST_STATE = (
    Column(
        "Уверенность отнесения",
        label_sql("list_confidence", "s.list_confidence"),
        max_width=16,
    ),
    Column("Движение в списке", label_sql("list_status", "s.list_status"), max_width=16),
    Column("Лет в списке подряд", "s.years_on_list", decimals=0),
)

# Decision support beside each school: how it does against similar schools and whether its VPR
# is believable.
_BENCHMARK_OF = (
    " left join marts.mart_school_benchmark b on b.school_id = s.school_id and b.year = s.year"
    " left join marts.mart_vpr_objectivity o on o.school_id = s.school_id and o.year = s.year"
)
BENCHMARK = "Сравнение с похожими школами"
SIGNALS = "Сигналы необъективности ВПР"
WHY = "Почему под вопросом"
_COMPARISON = (
    Column(BENCHMARK, label_sql("benchmark_level", "b.benchmark_level"), max_width=18),
    Column("Процентиль среди похожих школ", "b.group_percentile", percent=True),
    Column("Школ в группе сравнения", "b.group_size", decimals=0),
    Column(
        SIGNALS,
        f"case when o.school_id is not null then coalesce({signals_sql('o')}, '{NO}') end",
        max_width=24,  # wraps: several signals stay readable in print
    ),
)

# Support outcomes (docs/methodology.md, «Результаты поддержки»): the stage of each school, and the
# schools off the list that may leave support (exited) or not yet (left_unconfirmed), with the
# success share now and in the last year on the list (mart_school_benchmark of both years).
SUPPORT_STAGE = "Этап поддержки"
GAIN = "Прирост доли успешных результатов"

LIST_SHEET = SheetSpec(
    title="Список ШНОР",
    source="marts.mart_low_results s" + _CLUSTER_OF + _BENCHMARK_OF,
    where="s.year = $year and s.on_initial_list",
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column("Кластер", label_sql("cluster", "c.cluster"), max_width=14),
        Column("Квинтиль ИСБШ", "c.isbsh_quintile", decimals=0),
        Column("Процедур с низким результатом", "s.low_procedures", decimals=0),
        Column("Критерий 1", "s.criterion_1", yes_no=True),
        Column("Критерий 2", "s.criterion_2", yes_no=True),
        *_LIST_STATE,
        Column(SUPPORT_STAGE, label_sql("support_stage", "s.support_stage"), max_width=22),
        *_COMPARISON,
        Column("Причины включения в список", "s.reasons", max_width=60),
    ),
)

# The region's decisions (docs/methodology.md, «Решения региона»): the final list beside
# the preliminary one, with each decision, its reason, the partner and whether an agreed partner
# follows the method — the sheet attached to the order.
FINAL_IN = "В итоговом списке"
FINAL_LIST_SHEET = SheetSpec(
    title="Итоговый список",
    source=(
        "marts.mart_support_list d "
        + _NAMES_OF.format(alias="d")
        + " left join marts.mart_low_results ps on ps.school_id = d.partner_id and ps.year = d.year"
    ),
    where="d.year = $year",
    order_by="d.in_final_list desc, " + _BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column(FINAL_IN, "d.in_final_list", yes_no=True),
        Column("В предварительном списке", "d.on_initial_list", yes_no=True),
        Column("Решение региона", label_sql("decision", "d.decision"), max_width=14),
        Column("Обоснование", "d.reason", max_width=50),
        Column("Основание (приказ)", "d.decided_by", max_width=30),
        Column("Код школы-партнёра", "d.partner_id", max_width=14),
        Column("Наименование школы-партнёра", "ps.school_name", max_width=44),
        Column("Партнёр", label_sql("partner_source", "d.partner_source"), max_width=20),
        Column("Дата соглашения", "strftime(d.agreement_date, '%d.%m.%Y')", max_width=12),
        Column("Партнёр по методике", "d.partner_admissible", yes_no=True),
        Column("Отступления от методики", "d.partner_note", max_width=60),
    ),
)

# Why a school off the list is under question, from its rows: a near miss names the results that
# could be low (their Wilson interval reaches the threshold); a doubtful VPR names its signals.
_COULD_BE_LOW = (
    "(select string_agg(f.procedure_name, ', ' order by f.procedure_name) "
    "from marts.fct_procedure_results f where f.school_id = s.school_id and f.year = s.year "
    "and f.in_selection and f.could_be_low and not f.is_low)"
)
WHY_SQL = (
    "concat_ws('; ', case when s.list_confidence = 'near_miss' then "
    f"{label_sql('list_confidence', 's.list_confidence')} || ': ' || coalesce("
    f"'интервал доли «2» достигает порога — ' || {_COULD_BE_LOW}, "
    "'интервал доли «2» достигал порога в прошлые годы (критерий 2)') end, "
    "case when o.objectivity_doubtful then "
    f"'объективность ВПР под сомнением: ' || {signals_sql('o')} end)"
)

WATCH_SHEET = SheetSpec(
    title="Вне списка под вопросом",
    source="marts.mart_low_results s" + _CLUSTER_OF + _BENCHMARK_OF,
    where=(
        "s.year = $year and not s.on_initial_list "
        "and (s.list_confidence = 'near_miss' or coalesce(o.objectivity_doubtful, false))"
    ),
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column("Кластер", label_sql("cluster", "c.cluster"), max_width=14),
        Column("Квинтиль ИСБШ", "c.isbsh_quintile", decimals=0),
        Column("Процедур с низким результатом", "s.low_procedures", decimals=0),
        *_LIST_STATE,
        Column(BENCHMARK, label_sql("benchmark_level", "b.benchmark_level"), max_width=18),
        Column(WHY, WHY_SQL, max_width=60),
    ),
)

EXIT_SHEET = SheetSpec(
    title="Выход из списка",
    source=(
        "marts.mart_low_results s"
        " left join marts.mart_school_benchmark b on b.school_id = s.school_id and b.year = s.year"
        " left join marts.mart_school_benchmark bl on bl.school_id = s.school_id"
        " and bl.year = s.year - s.years_off_list"
    ),
    where="s.year = $year and s.support_stage in ('exited', 'left_unconfirmed')",
    order_by="s.support_stage, " + _BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column(SUPPORT_STAGE, label_sql("support_stage", "s.support_stage"), max_width=22),
        Column("Лет вне списка подряд", "s.years_off_list", decimals=0),
        Column("Последний год в списке", "s.year - s.years_off_list", max_width=10),
        Column("Доля успешных результатов тогда", "bl.success_share", percent=True),
        Column("Доля успешных результатов сейчас", "b.success_share", percent=True),
        Column(GAIN, "b.success_share - bl.success_share", percent=True),
    ),
)

CLUSTER_SHEET = SheetSpec(
    title="Кластеры",
    source="marts.mart_school_clusters c " + _NAMES_OF.format(alias="c"),
    where="c.year = $year",
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column("Кластер", label_sql("cluster", "c.cluster"), max_width=14),
        Column("Уровень результатов", label_sql("result_level", "c.result_level")),
        Column("Индекс образовательных результатов (ИОР)", "c.result_index", decimals=3),
        Column("ИСБШ", "c.isbsh", decimals=3),
        Column("Квинтиль ИСБШ", "c.isbsh_quintile", decimals=0),
        Column("Социальный статус", label_sql("social_status", "c.social_status"), max_width=24),
        Column("В списке ШНОР", "s.on_initial_list", yes_no=True),
    ),
)

# A distance is assumed (25 / 250 km by default) where either school of the pair has no coordinates.
_COORDINATES = "left join staging.stg_schools {a} on {a}.school_id = {id} and {a}.year = p.year"
_ASSUMED = (
    "(ms.latitude is null or ms.longitude is null or pc.latitude is null or pc.longitude is null)"
)
DISTANCE_MEASURED = "Расстояние по координатам, км"
DISTANCE_ASSUMED = "Расстояние принято условно (нет координат), км"

PARTNER_SHEET = SheetSpec(
    title="Школы-партнёры",
    source=(
        "marts.mart_partner_matches p "
        + _NAMES_OF.format(alias="p")
        + " left join marts.mart_low_results ps on ps.school_id = p.partner_id and ps.year = p.year "
        + _COORDINATES.format(a="ms", id="p.school_id")
        + " "
        + _COORDINATES.format(a="pc", id="p.partner_id")
    ),
    where="p.year = $year",
    order_by="s.municipality, s.school_name, p.school_id, p.rank",
    columns=(
        *SCHOOL_COLUMNS,
        Column("№ партнёра", "p.rank", decimals=0),
        Column("Код школы-партнёра", "p.partner_id", max_width=14),
        Column("Наименование школы-партнёра", "ps.school_name", max_width=44),
        Column("Муниципалитет школы-партнёра", "ps.municipality", max_width=28),
        Column("Тип пары", label_sql("match_type", "p.match_type")),
        Column(DISTANCE_MEASURED, f"case when not {_ASSUMED} then p.distance_km end", decimals=1),
        Column(DISTANCE_ASSUMED, f"case when {_ASSUMED} then p.distance_km end", decimals=0),
        Column("Разница ИСБШ (школа − партнёр)", "p.isbsh_gap", decimals=3),
        Column("Разница квинтилей ИСБШ", "p.isbsh_quintile_gap", decimals=0),
        Column("Разница ИОР (партнёр − школа)", "p.result_gap", decimals=3),
        Column("Причина, если партнёр не подобран", "p.reason", max_width=50),
    ),
)

RISK_SHEET = SheetSpec(
    title="Профили рисков",
    source="marts.mart_risk_profiles r " + _NAMES_OF.format(alias="r"),
    where="r.year = $year",
    order_by=_BY_NAME,
    columns=(
        *SCHOOL_COLUMNS,
        Column("В списке ШНОР", "s.on_initial_list", yes_no=True),
        Column("Дефицит кадров", "r.teacher_shortage", yes_no=True),
        Column("Слабая инфраструктура", "r.weak_infrastructure", yes_no=True),
        Column("Удалённость", "r.remote", yes_no=True),
        Column("Сложный контингент", "r.complex_contingent", yes_no=True),
        Column("Число рисков", "r.risk_count", decimals=0),
        Column("Доля вакансий педагогов", "r.vacancy_rate", percent=True),
        Column("Интернет, Мбит/с", "r.internet_mbps", decimals=1),
        Column("Компьютеров на 100 обучающихся", "r.computers_per_100", decimals=1),
        Column("Удалённость от районного центра, км", "r.distance_to_center_km", decimals=1),
        Column("Тип местности", label_sql("locality_type", "r.locality_type")),
        Column("Квинтиль ИСБШ", "r.isbsh_quintile", decimals=0),
    ),
)

MUNICIPALITY_SHEET = SheetSpec(
    title="Итоги по муниципалитетам",
    source=(
        "marts.mart_low_results s" + _CLUSTER_OF + " left join (select distinct school_id, year "
        "from marts.mart_partner_matches where partner_id is not null) m "
        "on m.school_id = s.school_id and m.year = s.year"
    ),
    where="s.year = $year group by grouping sets ((s.municipality), ())",
    order_by="s.municipality nulls last",
    key_columns=1,
    columns=(
        Column("Муниципалитет", "coalesce(s.municipality, 'Итого по региону')", max_width=28),
        Column("Школ", "count(*)", decimals=0),
        Column("В списке ШНОР", "count(*) filter (where s.on_initial_list)", decimals=0),
        Column(
            "Доля школ в списке",
            "count(*) filter (where s.on_initial_list) / count(*)",
            percent=True,
        ),
        Column("Впервые в списке", "count(*) filter (where s.list_status = 'new')", decimals=0),
        Column("Вышли из списка", "count(*) filter (where s.list_status = 'left')", decimals=0),
        Column(
            "На границе (неуверенно)",
            "count(*) filter (where s.list_confidence = 'borderline')",
            decimals=0,
        ),
        Column(
            "Близко к списку", "count(*) filter (where s.list_confidence = 'near_miss')", decimals=0
        ),
        Column("С партнёром", "count(m.school_id)", decimals=0),
        Column("Кризисных", "count(*) filter (where c.cluster = 'crisis')", decimals=0),
        Column("Резильентных", "count(*) filter (where c.cluster = 'resilient')", decimals=0),
        Column("ШССУ", "count(*) filter (where c.social_status = 'unfavourable')", decimals=0),
    ),
)

INDICATOR_SHEET = SheetSpec(
    title="Показатели",
    source="marts.mart_indicators i",
    where="i.year <= $year",
    order_by="i.year",
    key_columns=1,
    columns=(
        Column("Год", "i.year", max_width=6),
        Column("Школ", "i.schools_total", decimals=0),
        Column("В списке ШНОР", "i.schools_on_list", decimals=0),
        Column("Доля школ списка", "i.schools_on_list / nullif(i.schools_total, 0)", percent=True),
        Column("Доля обучающихся в школах списка", "i.share_students_low", percent=True),
        Column("Успешность ГИА в школах списка", "i.gia_pass_share_on_list", percent=True),
        Column("Доля педагогов, прошедших ПК", "i.share_teachers_trained", percent=True),
        Column("Доля положительной динамики ВПР", "i.share_positive_dynamics", percent=True),
        Column("Доля неудовлетворительных результатов", "i.share_selection_failed", percent=True),
        Column("Резильентных", "i.schools_resilient", decimals=0),
        Column("Группа риска", "i.schools_at_risk", decimals=0),
        Column("Кризисных", "i.schools_crisis", decimals=0),
        Column("ШССУ", "i.schools_unfavourable", decimals=0),
        Column("С партнёром", "i.schools_with_partner", decimals=0),
        Column("В итоговом списке", "i.final_list_schools", decimals=0),
        Column("Доля низких результатов участников", "i.participating_low_share", percent=True),
        Column("Успешность ГИА участников", "i.participating_gia_pass_share", percent=True),
        Column(
            "Доля педагогов участников, прошедших ПК",
            "i.participating_teachers_trained_share",
            percent=True,
        ),
    ),
)

SOURCES_SHEET = SheetSpec(
    title="Источники данных",
    source="raw.landed_files f",
    where="f.year <= $year",
    order_by="f.year, f.kind",
    key_columns=1,
    columns=(
        Column("Год", "f.year", max_width=6),
        Column("Вид данных", "f.kind", max_width=16),
        Column("Файл", "regexp_extract(f.source_file, '[^/\\\\]+$')", max_width=24),
        Column("Формат", "f.file_format", max_width=8),
        Column("Кодировка", "f.encoding", max_width=12),
        Column("Строк", "f.rows", decimals=0),
        Column("Размер, байт", "f.size_bytes", decimals=0),
        Column("Контрольная сумма SHA-256", "f.content_hash", max_width=66),
        Column("Загружен", "strftime(f.loaded_at, '%d.%m.%Y %H:%M')", max_width=17),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (
    LIST_SHEET,
    FINAL_LIST_SHEET,
    WATCH_SHEET,
    EXIT_SHEET,
    CLUSTER_SHEET,
    PARTNER_SHEET,
    RISK_SHEET,
    MUNICIPALITY_SHEET,
    INDICATOR_SHEET,
)
