"""How the current list of a year differs from its latest publication (`nro publish --year Y`).

Officials act on the list they were sent; when a corrected file or a changed parameter moves a
school in or out, the workbook's sheet «Отличия от опубликованного списка» and the report's
section of the same name say which schools, with their names and municipality. The difference
itself comes from `published_lists.published_difference`; here it is only put into words.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from nro_pipeline.lib.publish.published_lists import TABLE, ListDifference, published_difference
from nro_pipeline.lib.reports.formatting import Column
from nro_pipeline.lib.reports.sheets import SheetData, SheetSpec

ADDED = "добавлена в список"
REMOVED = "исключена из списка"
NOT_IN_REGISTRY = "нет в реестре года"

DIFFERENCE_SHEET = SheetSpec(
    title="Отличия от опубликованного",
    source="",
    where="",
    order_by="",
    columns=(
        Column("Код ОО", "", max_width=14),
        Column("Наименование ОО", "", max_width=44),
        Column("Муниципалитет", "", max_width=28),
        Column("Изменение", "", max_width=20),
        Column("Причины включения (исключённой — при публикации)", "", max_width=60),
    ),
)

# The schools of the difference with their names (from the year's registry) and reasons: the
# current ones for an added school, the published ones for a removed one.
_NAMED = f"""
    select d.school_id, s.school_name, s.municipality, d.change,
           case when d.change = '{ADDED}' then s.reasons else p.reasons end
    from (select unnest($added::varchar[]) as school_id, '{ADDED}' as change
          union all select unnest($removed::varchar[]), '{REMOVED}') d
    left join marts.mart_low_results s on s.school_id = d.school_id and s.year = $year
    left join {TABLE} p on p.school_id = d.school_id and p.publication_id = $publication
    order by d.change, s.municipality, s.school_name, d.school_id
"""


@dataclass(frozen=True)
class ListChanges:
    summary: str  # one line: when the list was published and what changed, or that it never was
    rows: list[tuple[object, ...]]  # school_id, name, municipality, change, reasons


def list_changes(con: duckdb.DuckDBPyConnection, year: int) -> ListChanges:
    difference = published_difference(con, year)
    if difference is None:
        return ListChanges(
            f"Список {year} года не публиковался (nro publish --year {year}): "
            "сравнивать текущий расчёт не с чем.",
            [],
        )
    if difference.unchanged:
        return ListChanges(summary(difference), [])
    rows = con.execute(
        _NAMED,
        {
            "added": difference.added,
            "removed": difference.removed,
            "year": year,
            "publication": difference.publication_id,
        },
    ).fetchall()
    named = [
        (school_id, name or NOT_IN_REGISTRY, municipality, change, reasons)
        for school_id, name, municipality, change, reasons in rows
    ]
    return ListChanges(summary(difference), named)


def summary(difference: ListDifference) -> str:
    published = (
        f"Список {difference.year} года опубликован {difference.published_at:%d.%m.%Y %H:%M} UTC "
        f"(публикация № {difference.publication_id})."
    )
    if difference.unchanged:
        return f"{published} Текущий расчёт с ним совпадает."
    return (
        f"{published} Текущий расчёт отличается: добавлено школ — {len(difference.added)}, "
        f"исключено — {len(difference.removed)}."
    )


def difference_sheet(con: duckdb.DuckDBPyConnection, year: int) -> SheetData:
    changes = list_changes(con, year)
    return SheetData(DIFFERENCE_SHEET, changes.rows, changes.summary)
