"""`nro export`: a year's marts as an XLSX workbook for officials (SPEC §6).

One workbook per results year, four sheets with Russian names and headers: the list of schools with
low results and its reasons, the clusters, the partner pairs and the risk profiles. Every sheet
shows the school's name and municipality beside its id, because officials read names, not codes.
What goes where is declared once, as data, in `SHEETS`; the HTML report reuses the same
declarations for its tables, so both speak the same words.

The warehouse is opened read-only: an export never changes the marts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from nro_pipeline import settings

YES, NO, NO_DATA = "да", "нет", "нет данных"

# Russian words for the coded values of the marts (SPEC §3), as officials expect to read them.
CLUSTER_RU = {
    "resilient": "резильентная",
    "at_risk": "группа риска",
    "crisis": "кризисная",
    "stable": "стабильная",
}
RESULT_LEVEL_RU = {"high": "высокий", "medium": "средний", "low": "низкий"}
SOCIAL_STATUS_RU = {
    "unfavourable": "неблагоприятный (ШССУ)",
    "neutral": "нейтральный",
    "favourable": "благоприятный",
}
MATCH_TYPE_RU = {"horizontal": "горизонтальная", "vertical": "вертикальная"}
LOCALITY_RU = {"city": "город", "rural": "село"}


class ExportError(Exception):
    """The export cannot be made (no warehouse, no marts for the year); the message says why."""


@dataclass(frozen=True)
class Column:
    """One sheet column: its Russian header, the SQL giving its value and how to show it."""

    header: str
    sql: str
    decimals: int | None = None  # a number shown with this many decimals
    percent: bool = False  # a 0..1 share shown as a percentage
    yes_no: bool = False  # a BOOLEAN shown as «да»/«нет» (null: «нет данных»)
    labels: Mapping[str, str] | None = None  # coded values shown as Russian words
    max_width: int = 40  # long text wraps at this width instead of widening the sheet

    def display(self, value: Any) -> Any:
        """The value as the cell holds it: words for flags and codes, numbers stay numbers."""
        if self.yes_no:
            return NO_DATA if value is None else (YES if value else NO)
        if self.labels is not None and value is not None:
            return self.labels.get(value, value)
        return value

    def excel_format(self) -> str:
        if self.percent:
            return "0.0%"
        if self.decimals is not None:
            return "0" if self.decimals == 0 else "0." + "0" * self.decimals
        return "General"

    def text(self, value: Any) -> str:
        """The value as plain text (HTML tables): Russian decimal comma, empty for null."""
        shown = self.display(value)
        if shown is None:
            return ""
        if isinstance(shown, float | int) and not isinstance(shown, bool):
            if self.percent:
                return russian_number(shown * 100, 1) + " %"
            if self.decimals is not None:
                return russian_number(shown, self.decimals)
        return str(shown)


def russian_number(value: float, decimals: int) -> str:
    """Decimal comma and a real minus sign; a value that rounds to zero shows no sign."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace(".", ",").replace("-", "−")


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: the rows of a mart for the year (`$year`), joined to names, in reading order."""

    title: str
    source: str
    where: str
    order_by: str
    columns: tuple[Column, ...]
    freeze: str = "C2"  # the header row and the id and name columns stay in view

    def query(self) -> str:
        select = ",\n  ".join(column.sql for column in self.columns)
        return (
            f"select\n  {select}\nfrom {self.source}\nwhere {self.where}\norder by {self.order_by}"
        )


# School id, name and municipality open every sheet; `s` is the school's row of mart_low_results,
# which holds the year's registry name for every school of the year.
_SCHOOL = (
    Column("Код ОО", "s.school_id", max_width=14),
    Column("Наименование ОО", "s.school_name", max_width=50),
    Column("Муниципалитет", "s.municipality", max_width=34),
)
_NAMES_OF = (
    "join marts.mart_low_results s on s.school_id = {alias}.school_id and s.year = {alias}.year"
)

LIST_SHEET = SheetSpec(
    title="Список ШНОР",
    source="marts.mart_low_results s",
    where="s.year = $year and s.on_initial_list",
    order_by="s.municipality, s.school_name, s.school_id",
    columns=(
        *_SCHOOL,
        Column("Процедур с низким результатом", "s.low_procedures", decimals=0),
        Column("Критерий 1", "s.criterion_1", yes_no=True),
        Column("Критерий 2", "s.criterion_2", yes_no=True),
        Column("Причины включения в список", "s.reasons", max_width=80),
    ),
)

CLUSTER_SHEET = SheetSpec(
    title="Кластеры",
    source="marts.mart_school_clusters c " + _NAMES_OF.format(alias="c"),
    where="c.year = $year",
    order_by="s.municipality, s.school_name, s.school_id",
    columns=(
        *_SCHOOL,
        Column("Кластер", "c.cluster", labels=CLUSTER_RU),
        Column("Уровень результатов", "c.result_level", labels=RESULT_LEVEL_RU),
        Column("Индекс образовательных результатов (ИОР)", "c.result_index", decimals=3),
        Column("ИСБШ", "c.isbsh", decimals=3),
        Column("Квинтиль ИСБШ", "c.isbsh_quintile", decimals=0),
        Column("Социальный статус", "c.social_status", labels=SOCIAL_STATUS_RU),
        Column("В списке ШНОР", "s.on_initial_list", yes_no=True),
    ),
)

PARTNER_SHEET = SheetSpec(
    title="Школы-партнёры",
    source=(
        "marts.mart_partner_matches p "
        + _NAMES_OF.format(alias="p")
        + " left join marts.mart_low_results ps on ps.school_id = p.partner_id and ps.year = p.year"
    ),
    where="p.year = $year",
    order_by="s.municipality, s.school_name, p.school_id, p.rank",
    columns=(
        *_SCHOOL,
        Column("№ партнёра", "p.rank", decimals=0),
        Column("Код школы-партнёра", "p.partner_id", max_width=14),
        Column("Наименование школы-партнёра", "ps.school_name", max_width=50),
        Column("Муниципалитет школы-партнёра", "ps.municipality", max_width=34),
        Column("Тип пары", "p.match_type", labels=MATCH_TYPE_RU),
        Column("Расстояние, км", "p.distance_km", decimals=1),
        Column("Разница ИСБШ (школа − партнёр)", "p.isbsh_gap", decimals=3),
        Column("Разница квинтилей ИСБШ", "p.isbsh_quintile_gap", decimals=0),
        Column("Разница ИОР (партнёр − школа)", "p.result_gap", decimals=3),
        Column("Причина, если партнёр не подобран", "p.reason", max_width=70),
    ),
)

RISK_SHEET = SheetSpec(
    title="Профили рисков",
    source="marts.mart_risk_profiles r " + _NAMES_OF.format(alias="r"),
    where="r.year = $year",
    order_by="s.municipality, s.school_name, s.school_id",
    columns=(
        *_SCHOOL,
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
        Column("Тип местности", "r.locality_type", labels=LOCALITY_RU),
        Column("Квинтиль ИСБШ", "r.isbsh_quintile", decimals=0),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (LIST_SHEET, CLUSTER_SHEET, PARTNER_SHEET, RISK_SHEET)


@dataclass
class SheetData:
    spec: SheetSpec
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    year: int
    rows_per_sheet: dict[str, int]

    def describe(self) -> str:
        counts = ", ".join(f"{title}: {n}" for title, n in self.rows_per_sheet.items())
        return f"{self.path} ({self.year}; {counts})"


def exports_dir() -> Path:
    return settings.exports_dir()


def default_output_path(year: int) -> Path:
    """`data/exports/nro_<year>.xlsx` under the project root (or under `NRO_EXPORTS_DIR`)."""
    return exports_dir() / f"nro_{year}.xlsx"


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse without write access; a missing file is a plain error, not a new DB."""
    if not warehouse.is_file():
        raise ExportError(f"no warehouse at {warehouse}: run `nro run` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        # DuckDB admits no reader while another process writes: most likely a run in progress.
        message = f"cannot open {warehouse} read-only (is a run writing to it?): {error}"
        raise ExportError(message) from None


def years_with_marts(con: duckdb.DuckDBPyConnection) -> list[int]:
    try:
        rows = con.execute("select distinct year from marts.mart_low_results order by 1").fetchall()
    except duckdb.CatalogException:
        return []  # the marts were never built in this file
    return [int(year) for (year,) in rows]


def require_year(con: duckdb.DuckDBPyConnection, year: int, warehouse: Path | str) -> None:
    years = years_with_marts(con)
    if year in years:
        return
    built = f"marts exist for {_span(years)}" if years else "no marts have been built yet"
    raise ExportError(
        f"no marts for {year} in {warehouse} ({built}); run `nro run --years {year}` first"
    )


def _span(years: Sequence[int]) -> str:
    contiguous = list(years) == list(range(years[0], years[-1] + 1))
    return (
        f"{years[0]}–{years[-1]}" if contiguous and len(years) > 1 else ", ".join(map(str, years))
    )


def fetch_sheet(con: duckdb.DuckDBPyConnection, spec: SheetSpec, year: int) -> SheetData:
    return SheetData(spec, con.execute(spec.query(), {"year": year}).fetchall())


_HEADER_STYLE = {
    "bold": True,
    "bg_color": "#DDE7F0",
    "pattern": 1,
    "text_wrap": True,
    "valign": "vcenter",
    "align": "center",
}
_LINE_HEIGHT = 15.0  # points per line of 11-pt Calibri
# xlsxwriter adds Excel's cell padding (5 px of a 7-px digit) to a column width; the widths here
# already allow for it, so the file stores exactly them.
_XLSXWRITER_PADDING = 5 / 7


def _width(column: Column, shown: Sequence[Any]) -> float:
    """Wide enough for the longest value (up to max_width); long headers wrap instead."""
    longest = max((len(_as_text(value)) for value in shown), default=0)
    header = min(len(column.header), 20)
    return float(min(max(longest, header, 6), column.max_width) + 2)


def _as_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def write_sheet(workbook: Workbook, data: SheetData) -> None:
    """One sheet, written by xlsxwriter (a national workbook has 80,000 rows; openpyxl kept every
    cell as an object with its styles and took ~35 s, xlsxwriter ~9 s and ~0.3 GiB)."""
    sheet = workbook.add_worksheet(data.spec.title)
    columns = data.spec.columns
    shown_rows = [
        [column.display(value) for column, value in zip(columns, row, strict=True)]
        for row in data.rows
    ]
    widths: list[float] = []
    formats = []
    for index, column in enumerate(columns):
        values = [shown[index] for shown in shown_rows]
        width = _width(column, values)
        widths.append(width)
        # Only text longer than its column wraps; short cells stay on one line.
        wrap = any(len(_as_text(v)) > width for v in values)
        style: dict[str, Any] = {"valign": "top", "text_wrap": wrap}
        if column.excel_format() != "General":
            style["num_format"] = column.excel_format()
        formats.append(workbook.add_format(style))
        sheet.set_column(index, index, width - _XLSXWRITER_PADDING)
    header_format = workbook.add_format(_HEADER_STYLE)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, header_format)
    for row_index, shown in enumerate(shown_rows, start=1):
        # Rows with wrapped text get room for every line: Excel does not grow them on opening.
        lines = max(
            (
                math.ceil(len(_as_text(value)) / max(width - 1, 1))
                for value, width, cell_format in zip(shown, widths, formats, strict=True)
                if value is not None and cell_format.text_wrap
            ),
            default=1,
        )
        if lines > 1:
            sheet.set_row(row_index, _LINE_HEIGHT * lines)
        for index, value in enumerate(shown):
            _write_cell(sheet, row_index, index, value, formats[index])
    last = len(columns) - 1
    freeze = xl_cell_to_rowcol(data.spec.freeze)
    sheet.freeze_panes(*freeze)
    sheet.autofilter(0, 0, len(shown_rows), last)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _write_cell(sheet: Worksheet, row: int, column: int, value: Any, cell_format: Format) -> None:
    if value is None:
        sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, cell_format)
    else:  # text stays text: never a formula or a link, whatever it starts with
        sheet.write_string(row, column, str(value), cell_format)


def write_workbook(sheets: Sequence[SheetData], year: int, out: Path) -> None:
    """Write beside the target and rename, so a reader never opens a half-written workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    workbook = Workbook(
        str(partial),
        {"strings_to_formulas": False, "strings_to_urls": False},
    )
    for data in sheets:
        write_sheet(workbook, data)
    workbook.set_properties(
        {
            "title": f"Школы с низкими образовательными результатами, {year} год",
            "author": "nro_pipeline",
        }
    )
    workbook.close()
    partial.replace(out)


def export_from_connection(
    con: duckdb.DuckDBPyConnection, year: int, out: Path, warehouse: Path | str = "the warehouse"
) -> ExportSummary:
    require_year(con, year, warehouse)
    sheets = [fetch_sheet(con, spec, year) for spec in SHEETS]
    write_workbook(sheets, year, out)
    return ExportSummary(out, year, {data.spec.title: len(data.rows) for data in sheets})


def export_year(warehouse: Path, year: int, out: Path | None = None) -> ExportSummary:
    """The whole export: open the warehouse read-only, check the year, write the workbook."""
    target = (out or default_output_path(year)).resolve()
    with connect_read_only(warehouse) as con:
        return export_from_connection(con, year, target, warehouse)
