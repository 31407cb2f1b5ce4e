"""Read one landing file, whatever form it arrived in (SPEC §2), as canonical text rows.

A CSV may be UTF-8 (with or without BOM) or Windows-1251, delimited by `,`, `;` or tab, with decimal
commas; an XLSX is read from its first sheet. Headers may be English or Russian, coded values may be
Russian words. The reader maps all of it to the canonical names and codes of `file_kinds`, keeps
unknown columns, numbers every row as it stands in the file, and yields Arrow batches of text, so
that a file of any size streams in bounded memory. Types are checked later (GX), not guessed here.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from nro_pipeline.file_kinds import CODED_VALUES, ColumnType, FileKind, normalise_label

SUFFIXES = (".csv", ".xlsx")
DELIMITERS = (";", "\t", ",")
BATCH_ROWS = 100_000
_HASH_CHUNK = 1 << 20


class LandingError(Exception):
    """A landing file that cannot be read; the message is meant for the person who delivered it."""


@dataclass
class FileProfile:
    """What the reader found out about a file: recorded with every load as lineage metadata."""

    path: Path
    content_hash: str
    size_bytes: int
    file_format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # canonical name → position
    extra_columns: dict[str, int] = field(default_factory=dict)  # header as given → position

    def describe(self) -> str:
        if self.file_format == "xlsx":
            return "XLSX (first sheet)"
        delimiter = {"\t": "tab", ";": "';'", ",": "','"}[self.delimiter or ","]
        return f"CSV, {self.encoding}, delimiter {delimiter}"


def find_landing_file(landing_dir: Path, year: int, kind: FileKind) -> Path:
    """The single file of this kind in the year's folder, as .csv or .xlsx."""
    folder = landing_dir / str(year)
    found = [folder / f"{kind.name}{suffix}" for suffix in SUFFIXES]
    found = [p for p in found if p.exists()]
    if not found:
        raise LandingError(
            f"{folder}: no file {kind.name}.csv or {kind.name}.xlsx ({kind.russian}) for {year}."
        )
    if len(found) > 1:
        raise LandingError(
            f"{folder}: both {found[0].name} and {found[1].name} arrived for {year}; "
            "keep one of them so it is clear which is current."
        )
    return found[0]


def landing_years(landing_dir: Path) -> list[int]:
    """Results years present in the landing zone (folders named by a four-digit year)."""
    if not landing_dir.is_dir():
        return []
    return sorted(
        int(p.name) for p in landing_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
    )


def file_hash_and_encoding(path: Path) -> tuple[str, int, str | None]:
    """One streaming pass: SHA-256 of the bytes, size, and the text encoding.

    UTF-8 is tried strictly first: Windows-1251 Cyrillic is almost never valid UTF-8, so a 1251
    file is detected rather than loaded as mojibake. Binary content (NUL bytes) gives None.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, binary, size = True, False, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            binary = binary or b"\x00" in chunk
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    encoding: str | None
    if binary:
        encoding = None
    elif utf8_ok:
        with path.open("rb") as handle:
            encoding = "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else "utf-8"
    else:
        encoding = "cp1251"
    return digest.hexdigest(), size, encoding


def _header_lookup(kind: FileKind) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in kind.columns:
        lookup[normalise_label(column.name)] = column.name
        lookup[normalise_label(column.russian)] = column.name
    for alias, canonical in kind.aliases.items():
        lookup[normalise_label(alias)] = canonical
    return lookup


def map_header(
    kind: FileKind, header: list[str], path: Path
) -> tuple[dict[str, int], dict[str, int]]:
    """Canonical column → position, and unknown header → position."""
    lookup = _header_lookup(kind)
    columns: dict[str, int] = {}
    extras: dict[str, int] = {}
    for position, raw_name in enumerate(header):
        name = str(raw_name) if raw_name is not None else ""
        canonical = lookup.get(normalise_label(name))
        if canonical is None:
            if name.strip():
                extras[name.strip()] = position
            continue
        if canonical in columns:
            first = header[columns[canonical]]
            raise LandingError(
                f"{path}: row 1 (header): columns «{first}» and «{name}» both mean {canonical}; "
                "rule: every column appears once."
            )
        columns[canonical] = position
    return columns, extras


def _coded_lookup(domain: str) -> dict[str, str]:
    lookup = {}
    for canonical, russian_forms in CODED_VALUES[domain].items():
        lookup[normalise_label(canonical)] = canonical
        for form in russian_forms:
            lookup[normalise_label(form)] = canonical
    return lookup


_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_INTEGRAL_FLOAT = re.compile(r"^([+-]?\d+)[.,]0+$")
_LEVEL_ORDER = list(CODED_VALUES["level"])


class _ValueNormaliser:
    """Canonical text for one kind's cells: trimmed, codes in English, decimal point."""

    def __init__(self, kind: FileKind) -> None:
        self.kind = kind
        self.coded = {c.name: _coded_lookup(c.coded) for c in kind.columns if c.coded}

    def __call__(self, column: str, value: object) -> str | None:
        if value is None:
            return None
        spec = self.kind.column(column)
        if isinstance(value, float):
            # XLSX stores every number as a float: 12.0 is the count 12 or the code "12".
            integral = value.is_integer() and spec.type is not ColumnType.DECIMAL
            text = str(int(value)) if integral else repr(value)
        else:
            text = str(value).strip().replace("\u00a0", " ")
        if text == "":
            return None
        if column == "levels":
            parts = [p for p in re.split(r"[,;/ ]+", text) if p]
            mapped = [self.coded[column].get(normalise_label(p), p) for p in parts]
            known = sorted({m for m in mapped if m in _LEVEL_ORDER}, key=_LEVEL_ORDER.index)
            unknown = [m for m in mapped if m not in _LEVEL_ORDER]
            return ",".join(known + unknown)
        if column in self.coded:
            return self.coded[column].get(normalise_label(text), text)
        if spec.type is ColumnType.DECIMAL and _DECIMAL_COMMA.match(text):
            return text.replace(",", ".")
        if spec.type is ColumnType.INTEGER and (match := _INTEGRAL_FLOAT.match(text)):
            return match.group(1)
        return text


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with path.open("r", encoding=encoding, newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _sniff_delimiter(kind: FileKind, path: Path, encoding: str) -> str:
    """The delimiter under which the header names the most known columns."""
    with path.open("r", encoding=encoding, newline="") as handle:
        first_line = handle.readline()
    lookup = _header_lookup(kind)

    def score(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(normalise_label(f) in lookup for f in fields), len(fields)

    return max(DELIMITERS, key=score)


def _xlsx_rows(path: Path) -> Iterator[list[object]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # calamine raises its own types for every broken workbook
        raise LandingError(
            f"{path}: not a readable XLSX workbook ({error}); rule: a file must be a valid CSV or XLSX."
        ) from error
    yield from sheet.iter_rows()


def read_landing_file(
    path: Path, kind: FileKind, batch_rows: int = BATCH_ROWS
) -> tuple[FileProfile, Iterator[pa.Table]]:
    """Profile the file and return its rows as Arrow batches of canonical text.

    Each batch has the kind's canonical columns (a column the file lacks is all null), then
    `_extra_columns` (JSON of unknown columns) and `_row_number` (row in the file, header = 1).
    """
    content_hash, size, encoding = file_hash_and_encoding(path)
    suffix = path.suffix.lower()
    if size == 0:
        raise LandingError(
            f"{path}: the file is empty (0 bytes); rule: a file has at least a header row."
        )
    profile = FileProfile(path, content_hash, size, "xlsx" if suffix == ".xlsx" else "csv")
    if profile.file_format == "csv":
        if encoding is None:
            raise LandingError(
                f"{path}: binary content, not a text CSV; rule: a .csv file is UTF-8 or Windows-1251 text."
            )
        profile.encoding = encoding
        profile.delimiter = _sniff_delimiter(kind, path, encoding)
        rows: Iterator[list[object]] = _csv_rows(path, encoding, profile.delimiter)
    else:
        rows = _xlsx_rows(path)
    try:
        header = next(rows)
    except StopIteration:
        raise LandingError(f"{path}: the file has no header row.") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise LandingError(f"{path}: row 1: unreadable CSV ({error}).") from error
    profile.header = ["" if h is None else str(h) for h in header]
    profile.columns, profile.extra_columns = map_header(kind, profile.header, path)
    return profile, _batches(profile, kind, rows, batch_rows)


def _batches(
    profile: FileProfile, kind: FileKind, rows: Iterator[list[object]], batch_rows: int
) -> Iterator[pa.Table]:
    normalise = _ValueNormaliser(kind)
    names = kind.column_names
    positions = [profile.columns.get(name) for name in names]
    extras = list(profile.extra_columns.items())
    schema = pa.schema(
        [(name, pa.string()) for name in names]
        + [("_extra_columns", pa.string()), ("_row_number", pa.int64())]
    )
    buffer: dict[str, list] = {name: [] for name in schema.names}
    row_number = 1
    try:
        for row in rows:
            row_number += 1
            if not any(cell not in (None, "") for cell in row):
                continue  # blank lines carry nothing; row numbers still count them
            for name, position in zip(names, positions, strict=True):
                cell = row[position] if position is not None and position < len(row) else None
                buffer[name].append(normalise(name, cell))
            extra = {h: row[p] for h, p in extras if p < len(row) and row[p] not in (None, "")}
            buffer["_extra_columns"].append(
                json.dumps(extra, ensure_ascii=False, default=str) if extra else None
            )
            buffer["_row_number"].append(row_number)
            if len(buffer["_row_number"]) >= batch_rows:
                yield pa.table(buffer, schema=schema)
                buffer = {name: [] for name in schema.names}
    except csv.Error as error:
        raise LandingError(
            f"{profile.path}: row {row_number}: unreadable CSV ({error})."
        ) from error
    if buffer["_row_number"] or row_number == 1:
        yield pa.table(buffer, schema=schema)
