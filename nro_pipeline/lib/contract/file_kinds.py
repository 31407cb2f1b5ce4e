"""The input contract: the file kinds, their columns, Russian headers and coded values.

The rules in words: docs/methodology.md, «Входные файлы».

Everything that reads or writes landing files (ingestion, validation, the sample generator) takes
column names and coded values from here, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ColumnType(Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"  # landed as ГГГГ-ММ-ДД when readable (ДД.ММ.ГГГГ, an XLSX date), else as given


@dataclass(frozen=True)
class Column:
    name: str
    russian: str
    type: ColumnType = ColumnType.TEXT
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # a present column may have empty cells
    coded: str | None = None  # name of the coded-value domain in CODED_VALUES
    # The values this kind's column may hold, when fewer than its domain's codes (VPR has only
    # math and rus) or when the column is a number from a short list (grade, mark).
    values: tuple[str, ...] | None = None
    many: bool = False  # a list of codes in one cell, comma-separated in canonical form (levels)

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        """What GX accepts in the column (None: any value of its type)."""
        if self.values is not None:
            return self.values
        return tuple(CODED_VALUES[self.coded]) if self.coded else None


@dataclass(frozen=True)
class FileKind:
    name: str  # also the raw table name and the landing file stem
    russian: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within a year's file
    aliases: dict[str, str] = field(default_factory=dict)  # extra accepted header → canonical
    # The file often arrives weeks after the others (the social passport): a year without it is
    # "not yet arrived" — built as far as it can be — instead of failing.
    may_arrive_later: bool = False
    # A year may never have this file (the region's register of decisions): its absence is a note
    # saying what the year builds without it, not a warning.
    optional: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# Coded values: canonical → accepted Russian forms (compared after normalise_label()).
CODED_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "subject": {
        "math": ("математика",),
        "rus": ("русский язык", "русский"),
        "math_base": ("математика базовая", "математика (базовая)", "математика базовый уровень"),
        "math_profile": (
            "математика профильная",
            "математика (профильная)",
            "математика профильный уровень",
        ),
    },
    "exam": {"OGE": ("огэ",), "EGE": ("егэ",)},
    "attempt": {"main": ("основная",), "retake": ("пересдача",)},
    "category": {
        "current": ("выпускник текущего года",),
        "past": ("выпускник прошлых лет", "выпускники прошлых лет"),
    },
    "locality_type": {"city": ("город",), "rural": ("село",)},
    "level": {"NOO": ("ноо",), "OOO": ("ооо",), "SOO": ("соо",)},
    "decision": {
        "confirm": ("подтвердить", "подтверждено"),
        "include": ("включить", "включено"),
        "exclude": ("исключить", "исключено"),
    },
}

INT = ColumnType.INTEGER
DEC = ColumnType.DECIMAL

SCHOOLS = FileKind(
    name="schools",
    russian="реестр образовательных организаций",
    columns=(
        Column("school_id", "код ОО"),
        Column("school_name", "наименование ОО"),
        Column("municipality", "муниципалитет"),
        Column("locality_type", "тип местности", coded="locality_type"),
        Column("levels", "уровни образования", coded="level", many=True),
        Column("latitude", "широта", DEC, nullable=True),
        Column("longitude", "долгота", DEC, nullable=True),
        Column("successor_id", "правопреемник", required=False, nullable=True),
    ),
    key=("school_id",),
)

VPR_RESULTS = FileKind(
    name="vpr_results",
    russian="результаты ВПР",
    columns=(
        Column("school_id", "код ОО"),
        Column("grade", "класс", INT, values=("4", "5", "6", "7", "8")),
        Column("subject", "предмет", coded="subject", values=("math", "rus")),
        Column("participants", "участников", INT),
        Column("mark_2", "отметка 2", INT),
        Column("mark_3", "отметка 3", INT),
        Column("mark_4", "отметка 4", INT),
        Column("mark_5", "отметка 5", INT),
    ),
    key=("school_id", "grade", "subject"),
    aliases={
        "отметка «2»": "mark_2",
        "отметка «3»": "mark_3",
        "отметка «4»": "mark_4",
        "отметка «5»": "mark_5",
        "количество участников": "participants",
    },
)

GIA_RESULTS = FileKind(
    name="gia_results",
    russian="результаты ОГЭ и ЕГЭ",
    columns=(
        Column("participant_id", "код участника"),
        Column("school_id", "код ОО"),
        Column("exam", "форма", coded="exam"),
        Column("subject", "предмет", coded="subject"),
        Column("score", "первичный/тестовый балл", INT),
        Column("mark", "отметка", INT, nullable=True, values=("2", "3", "4", "5")),
        Column("attempt", "попытка", coded="attempt"),
        Column("category", "категория", coded="category"),
    ),
    key=("participant_id", "exam", "subject", "attempt"),
    aliases={"балл": "score", "тестовый балл": "score", "первичный балл": "score"},
)

SOCIAL_PASSPORT = FileKind(
    name="social_passport",
    russian="социальный паспорт ОО",
    columns=(
        Column("school_id", "код ОО"),
        Column("students_total", "всего обучающихся", INT),
        Column("low_income", "из малообеспеченных семей", INT),
        Column("single_parent", "из неполных семей", INT),
        Column("large_family", "из многодетных семей", INT),
        Column("parents_higher_edu", "родители с высшим образованием", INT),
        Column("unemployed_parents", "родители безработные", INT),
        Column("non_native_russian", "русский язык неродной", INT),
        Column("disabled", "с ОВЗ / инвалидностью", INT),
        Column("registered_at_risk", "на учёте (ПДН, КДН, ВШУ)", INT),
        Column("distance_to_center_km", "удалённость от районного центра, км", DEC),
        Column("internet_mbps", "скорость интернета, Мбит/с", DEC),
        Column("computers", "компьютеров для обучения", INT),
        Column("teachers_total", "педагогов всего", INT),
        Column("teacher_vacancies", "вакансий", INT),
        Column("teachers_trained", "прошли повышение квалификации", INT),
    ),
    key=("school_id",),
    may_arrive_later=True,
)

# The region's decisions on the preliminary list (docs/methodology.md, «Решения региона»).
SUPPORT_REGISTER = FileKind(
    name="support_register",
    russian="реестр решений региона",
    columns=(
        Column("school_id", "код ОО"),
        Column("decision", "решение", coded="decision"),
        Column("reason", "обоснование"),
        Column("partner_id", "школа-партнёр", required=False, nullable=True),
        Column("agreement_date", "дата соглашения", ColumnType.DATE, False, True),
        Column("decided_by", "основание", required=False, nullable=True),
    ),
    key=("school_id",),
    aliases={"партнер": "partner_id", "школа партнер": "partner_id"},
    may_arrive_later=True,
    optional=True,
)

FILE_KINDS: dict[str, FileKind] = {
    k.name: k for k in (SCHOOLS, VPR_RESULTS, GIA_RESULTS, SOCIAL_PASSPORT, SUPPORT_REGISTER)
}

# Counts in the social passport that are parts of students_total (each ≤ students_total).
PASSPORT_STUDENT_COUNTS = (
    "low_income",
    "single_parent",
    "large_family",
    "parents_higher_edu",
    "unemployed_parents",
    "non_native_russian",
    "disabled",
    "registered_at_risk",
)


def normalise_label(text: str) -> str:
    """Header/label comparison key: case, surrounding and repeated spaces and ё/е do not matter."""
    return " ".join(str(text).replace("\ufeff", "").strip().lower().replace("ё", "е").split())
