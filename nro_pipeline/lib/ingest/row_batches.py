"""Rows read one by one (Python's csv module, or an XLSX sheet) as Arrow batches of canonical text.

Every batch has the kind's canonical columns (a column the file lacks is all null), then
`_extra_columns` (JSON of unknown columns) and `_row_number` (the row in the file).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

import pyarrow as pa

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.file_profile import DELIMITER_NAMES, DELIMITERS, FileProfile
from nro_pipeline.lib.ingest.landing_errors import LandingError
from nro_pipeline.lib.ingest.value_normaliser import Converter, ValueNormaliser


def batch_schema(kind: FileKind) -> pa.Schema:
    return pa.schema(
        [(name, pa.string()) for name in kind.column_names]
        + [("_extra_columns", pa.string()), ("_row_number", pa.int64())]
    )


def misaligned_row(profile: FileProfile, row: list[object], row_number: int) -> str | None:
    """Why a CSV row's cells do not line up with the header, or None when they do.

    A row must have the header's number of cells (empty cells beyond it are tolerated: some
    exporters end every line with a delimiter). With fewer or more, values would land in the wrong
    columns, and a shifted count can still pass every value rule, so the file is refused. A row
    that splits into the header's width under another delimiter is reported as mixed delimiters.
    """
    width = len(profile.header)
    cells = len(row)
    if cells == width or (cells > width and all(c in (None, "") for c in row[width:])):
        return None
    delimiter = profile.delimiter or ","
    line = delimiter.join(str(c) for c in row)
    for other in DELIMITERS:
        if other != delimiter and len(next(csv.reader([line], delimiter=other), [])) == width:
            return (
                f"row {row_number}: its cells are separated by {DELIMITER_NAMES[other]} while the "
                f"header uses {DELIMITER_NAMES[delimiter]} (mixed delimiters); rule: one "
                "delimiter throughout the file."
            )
    return (
        f"row {row_number}: {cells} cell(s) where the header has {width}, so its values cannot be "
        "matched to columns; rule: every row has the header's number of cells."
    )


class _Buffer:
    """The columns of the batch being filled."""

    def __init__(self, schema: pa.Schema, columns: list[tuple[str, int | None, Converter]]) -> None:
        self.schema = schema
        self.columns = columns
        self.reset()

    def reset(self) -> None:
        self.data: dict[str, list] = {name: [] for name in self.schema.names}
        self.targets = [
            (self.data[name], position, convert) for name, position, convert in self.columns
        ]

    def __len__(self) -> int:
        return len(self.data["_row_number"])

    def append(self, row: list[object], row_number: int, extras: list[tuple[str, int]]) -> None:
        width = len(row)
        for target, position, convert in self.targets:
            cell = row[position] if position is not None and position < width else None
            target.append(convert(cell))
        extra = (
            {h: row[p] for h, p in extras if p < width and row[p] not in (None, "")}
            if extras
            else None
        )
        self.data["_extra_columns"].append(
            json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        )
        self.data["_row_number"].append(row_number)

    def take(self) -> pa.Table:
        table = pa.table(self.data, schema=self.schema)
        self.reset()
        return table


def row_batches(
    profile: FileProfile, kind: FileKind, rows: Iterator[list[object]], batch_rows: int
) -> Iterator[pa.Table]:
    """`rows` are the rows after the header; numbering goes on from the header's row."""
    normalise = ValueNormaliser(kind)
    columns = [
        (name, profile.columns.get(name), normalise.converter(name)) for name in kind.column_names
    ]
    buffer = _Buffer(batch_schema(kind), columns)
    extras = list(profile.extra_columns.items())
    row_number = profile.header_row
    # An XLSX sheet is a grid: its rows cannot be misaligned the way a CSV line can.
    check_width = profile.file_format == "csv"
    try:
        for row in rows:
            row_number += 1
            # A CSV row is all text, so any() says whether a cell is non-empty; an XLSX cell
            # may be a falsy number (0.0), hence the explicit test there.
            blank = not any(row) if check_width else not any(cell not in (None, "") for cell in row)
            if blank:
                continue  # blank lines carry nothing; row numbers still count them
            if check_width and (problem := misaligned_row(profile, row, row_number)):
                raise LandingError(f"{profile.path}: {problem}")
            buffer.append(row, row_number, extras)
            if len(buffer) >= batch_rows:
                yield buffer.take()
    except csv.Error as error:
        raise LandingError(
            f"{profile.path}: row {row_number}: unreadable CSV ({error})."
        ) from error
    if len(buffer) or row_number == profile.header_row:
        yield buffer.take()
