"""Write one landing file in one of the formats regional extracts really arrive in.

The forms: docs/methodology.md, «Входные файлы».

Rows are streamed, so a file of millions of rows is written in bounded memory: CSV through the csv
module, XLSX as a minimal SpreadsheetML package whose one sheet is written row by row with inline
strings. (openpyxl's write-only mode would also stream, but without lxml it is slow per cell
and keeps every distinct string, e.g. each participant id, in its shared-strings table; the
figures are in bench/README.md, «Where the time goes».)
A file is written under a hidden temporary name and renamed when complete, so nothing watching
the landing zone sees half a file. The same rows always give the same bytes.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from nro_pipeline.lib.contract.file_kinds import CODED_VALUES, ColumnType, FileKind

# Excel's last row is 1 048 576; one row holds the header.
XLSX_MAX_DATA_ROWS = 1_048_575

# Acronyms among the coded values are written upper-case (ОГЭ, НОО) as the source systems do;
# CODED_VALUES keeps every form lower-case because it is compared after normalise_label().
_UPPER_CASE_DOMAINS = frozenset({"exam", "level"})

# Fixed time of every XLSX zip entry, so the same rows give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _Dialect:
    suffix: str
    encoding: str = "utf-8"
    delimiter: str = ","
    russian: bool = False  # Russian headers and Russian coded values
    decimal_comma: bool = False
    line_terminator: str = "\r\n"


class LandingFormat(Enum):
    """How a landing file is encoded; the value is the name used in configs and on the CLI."""

    CSV_UTF8 = "csv_utf8"  # `,`, English headers and codes, decimal point
    CSV_UTF8_BOM_SEMICOLON = "csv_utf8_bom_semicolon"  # Excel «CSV UTF-8» in a Russian locale
    CSV_CP1251_RU = "csv_cp1251_ru"  # Windows-1251, `;`, Russian headers/codes, decimal comma
    TSV_UTF8_RU = "tsv_utf8_ru"  # tab, Russian headers/codes, decimal point
    XLSX = "xlsx"  # first sheet, Russian headers/codes, numbers as numbers

    @property
    def dialect(self) -> _Dialect:
        return _DIALECTS[self]

    @property
    def suffix(self) -> str:
        return self.dialect.suffix


_DIALECTS: dict[LandingFormat, _Dialect] = {
    LandingFormat.CSV_UTF8: _Dialect(".csv", line_terminator="\n"),
    LandingFormat.CSV_UTF8_BOM_SEMICOLON: _Dialect(
        ".csv", encoding="utf-8-sig", delimiter=";", decimal_comma=True
    ),
    LandingFormat.CSV_CP1251_RU: _Dialect(
        ".csv", encoding="cp1251", delimiter=";", russian=True, decimal_comma=True
    ),
    LandingFormat.TSV_UTF8_RU: _Dialect(".csv", delimiter="\t", russian=True),
    LandingFormat.XLSX: _Dialect(".xlsx", russian=True),
}

_LANDING_SUFFIXES = frozenset({".csv", ".xlsx", ".tsv", ".txt"})


def landing_path(path: Path | str, fmt: LandingFormat) -> Path:
    """`path` with the suffix of `fmt`: `2024/schools` or `2024/schools.xlsx` → `2024/schools.csv`."""
    path = Path(path)
    if path.suffix.lower() in _LANDING_SUFFIXES:
        return path.with_suffix(fmt.suffix)
    return path.with_name(path.name + fmt.suffix)


def write_landing_file(
    path: Path | str,
    kind: FileKind,
    rows: Iterable[Mapping[str, Any]],
    fmt: LandingFormat = LandingFormat.CSV_UTF8,
    *,
    extra_columns: Sequence[str] = (),
) -> Path:
    """Write `rows` (dicts keyed by canonical column names) as one landing file of `kind`.

    Every column of `kind` is written, in contract order, then `extra_columns` as given (unknown
    columns a source system adds). A missing key or None is an empty cell. Values that are not the
    canonical ones (planted bad data) are written unchanged. Returns the path written, whose suffix
    follows `fmt`.
    """
    target = landing_path(path, fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    columns = [*kind.column_names, *extra_columns]
    try:
        if fmt is LandingFormat.XLSX:
            _write_xlsx(partial, kind, columns, rows)
        else:
            _write_csv(partial, kind, columns, rows, fmt.dialect)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _write_csv(
    path: Path,
    kind: FileKind,
    columns: list[str],
    rows: Iterable[Mapping[str, Any]],
    dialect: _Dialect,
) -> None:
    convert = _row_converter(kind, columns, dialect, for_xlsx=False)
    header = _header(kind, columns, dialect.russian)
    # strict encoding: a value Windows-1251 cannot hold must fail here, not turn into «?».
    with path.open("w", encoding=dialect.encoding, newline="", errors="strict") as handle:
        writer = csv.writer(
            handle, delimiter=dialect.delimiter, lineterminator=dialect.line_terminator
        )
        writer.writerow(header)
        writer.writerows(map(convert, rows))


def _write_xlsx(
    path: Path, kind: FileKind, columns: list[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    dialect = LandingFormat.XLSX.dialect
    convert = _row_converter(kind, columns, dialect, for_xlsx=True)
    letters = [_column_letter(i) for i in range(len(columns))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, text in _xlsx_package_parts(kind.name[:31]).items():
            archive.writestr(_zip_entry(name), text)
        raw = archive.open(_zip_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True)
        with io.TextIOWrapper(raw, encoding="utf-8", newline="") as sheet:
            sheet.write(_SHEET_HEAD)
            sheet.write(_xlsx_row(1, letters, _header(kind, columns, dialect.russian)))
            chunk: list[str] = []
            for number, row in enumerate(rows, start=2):
                if number > XLSX_MAX_DATA_ROWS + 1:
                    raise ValueError(
                        f"{kind.name}: more than {XLSX_MAX_DATA_ROWS} rows do not fit on an XLSX sheet"
                    )
                chunk.append(_xlsx_row(number, letters, convert(row)))
                if len(chunk) == 1000:
                    sheet.write("".join(chunk))
                    chunk.clear()
            sheet.write("".join(chunk))
            sheet.write(_SHEET_TAIL)


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_HEAD = f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"


def _xlsx_package_parts(sheet_name: str) -> dict[str, str]:
    """Every part of the workbook but the sheet data: the least Excel, LibreOffice, openpyxl and
    calamine all open (content types, relationships, one sheet, the default cell style)."""
    return {
        "[Content_Types].xml": (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
            f'<sheet name="{_xml_escape(sheet_name)}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }


def _xlsx_row(number: int, letters: list[str], values: Sequence[Any]) -> str:
    cells = []
    for letter, value in zip(letters, values, strict=True):
        if value is None or value == "":
            continue  # an empty cell is simply absent
        kind = type(value)  # exact-type checks first: the ABC checks cost a lot per cell
        if kind is str:
            cells.append(_xlsx_text_cell(letter, number, value))
        elif kind is int or (isinstance(value, numbers.Integral) and kind is not bool):
            cells.append(f'<c r="{letter}{number}"><v>{int(value)}</v></c>')
        elif kind is float or (isinstance(value, numbers.Real) and kind is not bool):
            if math.isfinite(value):  # NaN/inf have no cell form: leave the cell empty
                cells.append(f'<c r="{letter}{number}"><v>{float(value)!r}</v></c>')
        else:
            cells.append(_xlsx_text_cell(letter, number, str(value)))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx_text_cell(letter: str, number: int, text: str) -> str:
    text = _xml_escape(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not text.isprintable():
        # Control characters cannot appear in XML at all; a cell cannot hold them.
        text = _XML_ILLEGAL.sub("", text)
    return text


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _zip_entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o600 << 16
    return entry


def _header(kind: FileKind, columns: list[str], russian: bool) -> list[str]:
    known = {c.name: c.russian for c in kind.columns}
    return [known.get(name, name) if russian else name for name in columns]


_Converter = Callable[[Any], Any]


def _row_converter(
    kind: FileKind, columns: list[str], dialect: _Dialect, *, for_xlsx: bool
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A function turning a row dict into the list of cell values in `columns` order.

    Columns that need no conversion are looked up directly: this runs once per row of files with
    millions of rows.
    """
    known = {c.name: c for c in kind.columns}
    converters: list[_Converter | None] = []
    for name in columns:
        column = known.get(name)
        converter: _Converter | None = None
        if column is not None and column.type is ColumnType.DECIMAL:
            converter = _decimal_converter(dialect.decimal_comma, for_xlsx)
        elif column is not None and column.coded and dialect.russian:
            converter = _russian_converter(column.coded, multi=name == "levels")
        converters.append(converter)

    converted = [(i, fn) for i, fn in enumerate(converters) if fn is not None]
    if not converted:
        return lambda row: [row.get(name) for name in columns]

    def convert(row: Mapping[str, Any]) -> list[Any]:
        cells = [row.get(name) for name in columns]
        for i, fn in converted:
            value = cells[i]
            if value is not None:
                cells[i] = fn(value)
        return cells

    return convert


def _decimal_converter(decimal_comma: bool, for_xlsx: bool) -> _Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return value  # text (planted bad data) goes through unchanged
        if math.isnan(value):
            return None
        if for_xlsx:
            return float(value)
        # repr() of a Python float is the shortest exact form; float() also unwraps numpy floats,
        # whose repr would be «np.float64(…)».
        text = repr(float(value))
        return text.replace(".", ",") if decimal_comma else text

    return convert


def _russian_converter(domain: str, *, multi: bool) -> _Converter:
    forms = {
        code: (names[0].upper() if domain in _UPPER_CASE_DOMAINS else names[0])
        for code, names in CODED_VALUES[domain].items()
    }

    def single(value: Any) -> Any:
        return forms.get(value, value)

    def several(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return ",".join(forms.get(part.strip(), part) for part in value.split(","))

    return several if multi else single
