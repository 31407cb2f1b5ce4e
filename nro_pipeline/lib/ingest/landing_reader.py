"""Read one landing file, whatever form it arrived in, as canonical text rows.

The forms allowed: docs/methodology.md, «Входные файлы».

A CSV may be UTF-8 (with or without BOM) or Windows-1251, delimited by `,`, `;` or tab, with decimal
commas; an XLSX is read from its first sheet. Title and blank rows may stand above the header
(`header_mapping`). Headers may be English or Russian, coded values may be Russian words. The
reader maps all of it to the canonical names and codes of `file_kinds`, keeps unknown columns,
numbers every row as it stands in the file, and yields Arrow batches of text, so that a file of any
size streams in bounded memory. Types are checked later (GX), not guessed here.

The parts: `file_facts` (bytes and encoding), `header_mapping` (which row is the header and what
it means), `value_normaliser` (cell text), `row_batches` and `arrow_batches` (the two readers).
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from itertools import chain, islice
from pathlib import Path

import pyarrow as pa

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.arrow_batches import arrow_csv_batches
from nro_pipeline.lib.ingest.file_facts import FileFacts, inspect_file
from nro_pipeline.lib.ingest.file_profile import DELIMITERS, YEAR_HEADERS, FileProfile
from nro_pipeline.lib.ingest.header_mapping import (
    HEADER_SEARCH_ROWS,
    find_header_row,
    map_header,
    no_header_row,
    sniff_csv_header,
)
from nro_pipeline.lib.ingest.landing_errors import FastPathUnavailable, LandingError
from nro_pipeline.lib.ingest.landing_paths import SUFFIXES, find_landing_file, landing_years
from nro_pipeline.lib.ingest.row_batches import row_batches

# Callers import these from here: the reader is the ingest layer's one entry point for files.
__all__ = [
    "BATCH_ROWS",
    "DELIMITERS",
    "SUFFIXES",
    "YEAR_HEADERS",
    "FastPathUnavailable",
    "FileFacts",
    "FileProfile",
    "LandingError",
    "find_landing_file",
    "inspect_file",
    "landing_years",
    "read_landing_file",
]

BATCH_ROWS = 100_000


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with path.open("r", encoding=encoding, newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _xlsx_rows(path: Path, facts: FileFacts) -> Iterator[list[object]]:
    from python_calamine import CalamineWorkbook

    def unreadable(error: Exception) -> LandingError:
        hint = (
            " — it is a text file, not a workbook; rename it to .csv"
            if facts.encoding is not None
            else ""
        )
        return LandingError(
            f"{path}: not a readable XLSX workbook ({error}){hint}; "
            "rule: a file must be a valid CSV or XLSX."
        )

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as error:  # calamine raises its own types for every broken workbook
        raise unreadable(error) from error
    rows = iter(sheet.iter_rows())
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a sheet can also break part-way through
            raise unreadable(error) from error
        yield row


def _open_rows(
    path: Path, kind: FileKind, facts: FileFacts, profile: FileProfile
) -> Iterator[list[object]]:
    """The file's rows from its first one; fills in how a CSV is read and where its header is."""
    if profile.file_format == "xlsx":
        return _xlsx_rows(path, facts)
    if facts.encoding is None or facts.problem:
        raise LandingError(
            f"{path}: {facts.problem or 'not readable text'}; "
            "rule: a .csv file is UTF-8 or Windows-1251 text."
        )
    profile.encoding = facts.encoding
    profile.delimiter, index = sniff_csv_header(kind, path, facts.encoding)
    if index is None:
        raise no_header_row(kind, path)
    profile.header_row = index + 1
    return _csv_rows(path, facts.encoding, profile.delimiter)


def _header(
    rows: Iterator[list[object]], kind: FileKind, profile: FileProfile
) -> tuple[list[object], Iterator[list[object]]]:
    """The header row and the rows after it; an XLSX header is found here (a CSV's by sniffing)."""
    try:
        head = list(islice(rows, HEADER_SEARCH_ROWS if profile.file_format == "xlsx" else 1))
        if profile.file_format == "csv":
            head = head + list(islice(rows, profile.header_row - 1))
    except (csv.Error, UnicodeDecodeError) as error:
        raise LandingError(f"{profile.path}: row 1: unreadable CSV ({error}).") from error
    if not head:
        raise LandingError(f"{profile.path}: the file has no header row.")
    if profile.file_format == "csv":
        return head[-1], rows
    index = find_header_row(kind, head)
    if index is None:
        raise no_header_row(kind, profile.path)
    profile.header_row = index + 1
    return head[index], chain(head[index + 1 :], rows)


def read_landing_file(
    path: Path,
    kind: FileKind,
    batch_rows: int = BATCH_ROWS,
    facts: FileFacts | None = None,
    fast: bool = True,
) -> tuple[FileProfile, Iterator[pa.Table]]:
    """Profile the file and return its rows as Arrow batches of canonical text.

    Each batch has the kind's canonical columns (a column the file lacks is all null), then
    `_extra_columns` (JSON of unknown columns) and `_row_number` (row in the file; the header is
    row 1 unless title rows stand above it). `facts` (from `inspect_file`) saves a second pass
    over the bytes when the caller has them. Structural problems (unreadable file, damaged
    encoding, no header row, rows whose cells do not line up with the header) raise LandingError,
    also part-way through the batches.

    A CSV is read by Arrow's parser when `fast` (see `arrow_batches`); when that parser cannot
    vouch for the result it raises `FastPathUnavailable`, also part-way through, and the caller
    reads the file again with `fast=False` (Python's csv module, row by row).
    """
    facts = facts or inspect_file(path)
    if facts.size_bytes == 0:
        raise LandingError(
            f"{path}: the file is empty (0 bytes); rule: a file has at least a header row."
        )
    file_format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    profile = FileProfile(path, facts.content_hash, facts.size_bytes, file_format)
    rows = _open_rows(path, kind, facts, profile)
    header, rows = _header(rows, kind, profile)
    profile.header = ["" if h is None else str(h) for h in header]
    profile.columns, profile.extra_columns = map_header(
        kind, profile.header, path, profile.header_row
    )
    if fast and profile.file_format == "csv":
        if isinstance(rows, Generator):
            rows.close()  # the header was all the row-by-row reader was needed for
        return profile, arrow_csv_batches(profile, kind, facts, batch_rows)
    return profile, row_batches(profile, kind, rows, batch_rows)
