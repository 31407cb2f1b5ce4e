"""The report's tables as text: a sheet's rows made readable on a page, and the history tables.

Tables reuse the sheet declarations of the workbook (`sheets`), with fewer columns: a page must
fit a laptop screen. School names link to the school's page: in the report, its one page for all
years (`school_site`, `school_href`); in the public edition, the year's page beside the index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from nro_pipeline.lib.reports.formatting import fmt_share
from nro_pipeline.lib.reports.labels import load_labels
from nro_pipeline.lib.reports.sheets import (
    DISTANCE_ASSUMED,
    DISTANCE_MEASURED,
    SheetData,
    SheetSpec,
    fetch_sheet,
)

SCHOOL_CODE = "Код ОО"  # opens every school sheet: the links to the school's page take it
PARTNER_NAME = "Наименование школы-партнёра"
PARTNER_REASON = "Причина, если партнёр не подобран"
DISTANCE = "Расстояние, км"
ASSUMED_MARK = "условно: нет координат"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    hrefs: list[str] = field(default_factory=list)  # per row: where the linked cell points
    link_column: int = -1  # the cell of each row that links to its page (-1: none)


def school_href(school_id: str) -> str:
    """The school's page (one for all its years, `<reports>/schools/`), relative to a year's
    index page (`<reports>/<year>/index.html`)."""
    return f"../schools/{page_name(school_id)}"


def page_beside(school_id: str) -> str:
    """The school's page in a `schools/` folder beside the linking page: the public edition's
    layout (a site per year, `<public>/<year>/schools/`)."""
    return f"schools/{page_name(school_id)}"


def page_name(key: str) -> str:
    """A file name for any code: letters, digits, - and _ kept, anything else as its hex."""
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else f"~{ord(ch):x}" for ch in key
    )
    return f"{safe}.html"


def data_table(data: SheetData, link: str = "", href: Callable[[str], str] = page_beside) -> Table:
    """A sheet's rows as text; with `link` (a header), that cell links to the school's page,
    `href(school_id)`."""
    columns = data.spec.columns
    headers = [c.header for c in columns]
    rows = [[c.text(v) for c, v in zip(columns, row, strict=True)] for row in data.rows]
    if not link:
        return Table(headers, rows)
    if headers[0] != SCHOOL_CODE:  # the links are made from it
        raise ValueError(f"{data.spec.title}: a linked table opens with «{SCHOOL_CODE}»")
    ids = [str(row[0]) for row in data.rows]
    return Table(headers, rows, [href(i) for i in ids], headers.index(link))


def sheet_table(
    con: duckdb.DuckDBPyConnection, spec: SheetSpec, year: int, link: str = ""
) -> Table:
    """A table of the year's report: its links go to the schools' pages (`school_href`)."""
    return data_table(fetch_sheet(con, spec, year), link, school_href)


def partner_table(table: Table) -> Table:
    """One distance column, assumed distances said to be assumed; the reason a school has no
    partner goes where the partner's name would be (the workbook keeps them apart for filters).
    The school's code, first so that the names link to its page, is not shown."""
    at = table.headers.index
    partner, reason = at(PARTNER_NAME), at(PARTNER_REASON)
    measured, assumed = at(DISTANCE_MEASURED), at(DISTANCE_ASSUMED)
    dropped = (at(SCHOOL_CODE), reason, assumed)
    rows = []
    for row in table.rows:
        merged = list(row)
        if merged[reason]:
            merged[partner] = merged[reason]
        if merged[assumed]:
            merged[measured] = f"{merged[assumed]} ({ASSUMED_MARK})"
        rows.append([cell for i, cell in enumerate(merged) if i not in dropped])
    headers = list(table.headers)
    headers[partner] = "Школа-партнёр (или почему она не подобрана)"
    headers[measured] = DISTANCE
    link = table.link_column - sum(i < table.link_column for i in dropped)
    return Table([h for i, h in enumerate(headers) if i not in dropped], rows, table.hrefs, link)


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
    subjects = load_labels(con, "subject")
    body = []
    for subject, from_grade, to_grade, positive, stable, negative, unrated in rows:
        rated = positive + stable + negative
        step = f"{from_grade} → {to_grade} класс" if subject else "все шаги"
        body.append(
            [
                subjects.get(subject, subject) if subject else "Итого",
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
