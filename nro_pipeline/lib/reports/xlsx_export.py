"""`nro export`: a year's marts as an XLSX workbook ready to attach to an order.

One workbook per results year. Every sheet prints on A4 with the year and the date of the run in
its title and in the page header, page numbers in the footer, a «№ п/п» column, the header row
repeated on every page and landscape where the table is wide. Rows are left to fit their text (no
stored heights: Excel and LibreOffice size them on opening). Sheets: the list with its decision
support columns (rule, confidence, movement, benchmark against similar schools, VPR objectivity
signals), the schools under question that are not on it (near misses and doubtful VPR, with why), how the
list differs from its latest publication, clusters, partner pairs (assumed
distances apart from measured ones), risk profiles, totals by municipality, the indicators, the
method and the data sources with their hashes. What goes where is declared in `sheets`.

The warehouse is opened read-only: an export never changes the marts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from nro_pipeline import settings
from nro_pipeline.lib.reports.formatting import Column
from nro_pipeline.lib.reports.list_changes import difference_sheet
from nro_pipeline.lib.reports.method_sheet import method_sheet, rule_sets
from nro_pipeline.lib.reports.sheets import (
    SHEETS,
    SOURCES_SHEET,
    SheetData,
    fetch_sheet,
)
from nro_pipeline.lib.reports.warehouse import ExportError, connect_read_only, require_year

__all__ = ["ExportError", "ExportSummary", "default_output_path", "export_year"]

NUMBER_HEADER = "№ п/п"
FONT = {"font_name": "Arial", "font_size": 10}  # metric twin of Liberation Sans: prints alike
LINE_HEIGHT = 12.75  # points per line of 10-pt Arial
ROW_PADDING = 2.0  # points above and below the text of a row
CHARACTERS_PER_WIDTH = (
    1.08  # Cyrillic letters of 10-pt Arial per unit of column width (measured in print)
)
TITLE_ROWS = 2  # the title and the line under it; the table header is the next row
A4 = 9  # xlsxwriter's paper code
# Width (in characters) a portrait A4 page holds at 100 %; a wider table prints landscape.
PORTRAIT_CHARACTERS = 100
# xlsxwriter adds Excel's cell padding (5 px of a 7-px digit) to a column width; the widths here
# already allow for it, so the file stores exactly them.
_XLSXWRITER_PADDING = 5 / 7
_HEADER_STYLE = {
    "bold": True,
    "bg_color": "#DDE7F0",
    "pattern": 1,
    "text_wrap": True,
    "valign": "vcenter",
    "align": "center",
    "border": 1,
}


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    year: int
    rows_per_sheet: dict[str, int]

    def describe(self) -> str:
        counts = ", ".join(f"{title}: {n}" for title, n in self.rows_per_sheet.items())
        return f"{self.path} ({self.year}; {counts})"


def default_output_path(year: int) -> Path:
    """`nro_<year>.xlsx` in the exports folder (`NRO_EXPORTS_DIR`, or beside the warehouse)."""
    return settings.exports_dir() / f"nro_{year}.xlsx"


def sheet_title(title: str, year: int, generated: date) -> str:
    return f"{title} — {year} год (сформировано {generated:%d.%m.%Y})"


def column_width(column: Column, shown: Sequence[Any]) -> float:
    """Wide enough for the longest value (up to max_width); long headers wrap instead."""
    longest = max((len(_as_text(value)) for value in shown), default=0)
    header = min(len(column.header), 16)
    return float(min(max(longest, header, 6), column.max_width) + 2)


def _as_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a cell of this width needs for the text, wrapping at spaces as Excel does.

    Neither Excel nor LibreOffice sizes rows when a file opens, so each row is given the height of
    its tallest cell: no clipped text and no blank bands.
    """
    capacity = max(int(width * CHARACTERS_PER_WIDTH) - 1, 1)
    if len(text) <= capacity and "\n" not in text:
        return 1  # most cells: a national workbook has a million of them
    lines = 0
    for paragraph in text.split("\n"):
        pieces = [
            word[i : i + capacity]  # a word longer than the line breaks anywhere
            for word in paragraph.split()
            for i in range(0, len(word), capacity)
        ]
        lines += 1
        used = -1  # characters on the current line; -1 before its first word
        for piece in pieces:
            if used < 0:
                used = len(piece)
            elif used + 1 + len(piece) <= capacity:
                used += 1 + len(piece)
            else:
                lines, used = lines + 1, len(piece)
    return lines


def row_height(values: Sequence[Any], widths: Sequence[float], line_height: float) -> float:
    lines = max(
        (wrapped_lines(_as_text(v), w) for v, w in zip(values, widths, strict=True)), default=1
    )
    return line_height * lines + ROW_PADDING


def _escape(text: str) -> str:
    return text.replace("&", "&&")  # & starts a control code in Excel headers and footers


def page_setup(sheet: Worksheet, data: SheetData, year: int, generated: date, width: float) -> None:
    """A4, the year on every page, page numbers, the header row repeated, fit to page width."""
    sheet.set_paper(A4)
    if width > PORTRAIT_CHARACTERS:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    title = _escape(data.spec.title)
    sheet.set_header(
        f'&L&"-,Bold"ШНОР {year} год&C{title}&RСформировано {generated:%d.%m.%Y}', {"margin": 0.3}
    )
    sheet.set_footer(f"&L{year} год&CСтраница &P из &N&Rnro_pipeline", {"margin": 0.3})
    repeat_from = 1 if data.spec.note_on_every_page and data.note else TITLE_ROWS
    sheet.repeat_rows(repeat_from, TITLE_ROWS)
    sheet.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as needed


def write_sheet(workbook: Workbook, data: SheetData, year: int, generated: date) -> None:
    """One sheet, written by xlsxwriter (a national workbook has 80,000 rows; openpyxl keeps every
    cell as an object with its styles, xlsxwriter streams them: bench/README.md has the figures)."""
    sheet = workbook.add_worksheet(data.spec.title)
    columns = (Column(NUMBER_HEADER, "", decimals=0, max_width=6), *data.spec.columns)
    shown_rows = [
        [number, *(c.display(v) for c, v in zip(data.spec.columns, row, strict=True))]
        for number, row in enumerate(data.rows, start=1)
    ]
    widths = [
        column_width(column, [shown[i] for shown in shown_rows]) for i, column in enumerate(columns)
    ]
    formats = [_cell_format(workbook, column) for column in columns]
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width - _XLSXWRITER_PADDING)
    _write_title(workbook, sheet, data, sum(widths), sheet_title(data.spec.title, year, generated))
    header = workbook.add_format({**FONT, **_HEADER_STYLE})
    sheet.set_row(TITLE_ROWS, row_height([c.header for c in columns], widths, LINE_HEIGHT))
    for index, column in enumerate(columns):
        sheet.write_string(TITLE_ROWS, index, column.header, header)
    for row_index, shown in enumerate(shown_rows, start=TITLE_ROWS + 1):
        sheet.set_row(row_index, row_height(shown, widths, LINE_HEIGHT))
        for index, value in enumerate(shown):
            _write_cell(sheet, row_index, index, value, formats[index])
    sheet.freeze_panes(TITLE_ROWS + 1, 1 + data.spec.key_columns)
    sheet.autofilter(TITLE_ROWS, 0, TITLE_ROWS + len(shown_rows), len(columns) - 1)
    page_setup(sheet, data, year, generated, sum(widths))


def _cell_format(workbook: Workbook, column: Column) -> Format:
    style: dict[str, Any] = {**FONT, "valign": "top", "text_wrap": True, "border": 1}
    if column.excel_format() != "General":
        style["num_format"] = column.excel_format()
    return workbook.add_format(style)


def _write_title(
    workbook: Workbook, sheet: Worksheet, data: SheetData, width: float, title: str
) -> None:
    """The title and the note under it span the table, so they never widen the printed page."""
    last = len(data.spec.columns)
    bold = workbook.add_format({**FONT, "bold": True, "font_size": 13, "valign": "top"})
    sheet.merge_range(0, 0, 0, last, title, bold)
    sheet.set_row(0, 20)
    if data.note:
        note = workbook.add_format({**FONT, "italic": True, "text_wrap": True, "valign": "top"})
        sheet.merge_range(1, 0, 1, last, data.note, note)
        sheet.set_row(1, row_height([data.note], [width], LINE_HEIGHT))


def _write_cell(sheet: Worksheet, row: int, column: int, value: Any, cell_format: Format) -> None:
    if value is None:
        sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, cell_format)
    else:  # text stays text: never a formula or a link, whatever it starts with
        sheet.write_string(row, column, str(value), cell_format)


def write_workbook(sheets: Sequence[SheetData], year: int, out: Path, generated: date) -> None:
    """Write beside the target and rename, so a reader never opens a half-written workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    workbook = Workbook(str(partial), {**options, "default_format_properties": FONT})
    for data in sheets:
        write_sheet(workbook, data, year, generated)
    workbook.set_properties(
        {
            "title": f"Школы с низкими образовательными результатами, {year} год",
            "author": "nro_pipeline",
        }
    )
    workbook.close()
    partial.replace(out)


def workbook_sheets(con: duckdb.DuckDBPyConnection, year: int) -> list[SheetData]:
    sheets = [fetch_sheet(con, spec, year) for spec in SHEETS]
    rules = rule_sets(con, year)
    if len(rules) == 1:  # one rule for the whole list: said once, under the title
        sheets[0].note = f"Правило отбора для всех школ списка: {rules[0]}"
    # The difference from the published list goes right after the lists it is about: the
    # preliminary list and the final one it compares (docs/methodology.md, «Решения региона»).
    sheets.insert(2, difference_sheet(con, year))
    return [*sheets, method_sheet(con, year), fetch_sheet(con, SOURCES_SHEET, year)]


def export_from_connection(
    con: duckdb.DuckDBPyConnection,
    year: int,
    out: Path,
    warehouse: Path | str = "the warehouse",
    generated: date | None = None,
) -> ExportSummary:
    require_year(con, year, warehouse)
    sheets = workbook_sheets(con, year)
    write_workbook(sheets, year, out, generated or date.today())
    return ExportSummary(out, year, {data.spec.title: len(data.rows) for data in sheets})


def export_year(warehouse: Path, year: int, out: Path | None = None) -> ExportSummary:
    """The whole export: open the warehouse read-only, check the year, write the workbook."""
    target = (out or default_output_path(year)).resolve()
    with connect_read_only(warehouse) as con:
        return export_from_connection(con, year, target, warehouse)
