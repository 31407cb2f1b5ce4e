"""Which row of a landing file is its header, and what each header cell means.

Official exports often put a title row («Результаты ВПР 2024 года») and blank rows above the
header. The header is the row, among the first `HEADER_SEARCH_ROWS`, that names the most columns
of the kind (the earliest such row on a tie): a title or a data row names none, while a header
that lacks a required column still names the others (GX then reports the missing column). Rows
above the header are skipped, but every row keeps its number in the file.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from itertools import islice
from pathlib import Path

from nro_pipeline.lib.contract.file_kinds import FileKind, normalise_label
from nro_pipeline.lib.ingest.file_profile import DELIMITERS
from nro_pipeline.lib.ingest.landing_errors import LandingError

HEADER_SEARCH_ROWS = 10


def header_lookup(kind: FileKind) -> dict[str, str]:
    """Normalised header text → canonical column: English and Russian names and aliases."""
    lookup: dict[str, str] = {}
    for column in kind.columns:
        lookup[normalise_label(column.name)] = column.name
        lookup[normalise_label(column.russian)] = column.name
    for alias, canonical in kind.aliases.items():
        lookup[normalise_label(alias)] = canonical
    return lookup


def _known_cells(row: Sequence[object], lookup: dict[str, str]) -> int:
    return sum(cell is not None and normalise_label(str(cell)) in lookup for cell in row)


def find_header_row(kind: FileKind, head: Sequence[Sequence[object]]) -> int | None:
    """Index in `head` (the file's first rows) of the header, or None when no row names a column."""
    lookup = header_lookup(kind)
    scores = [_known_cells(row, lookup) for row in head[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    return scores.index(best) if best else None


def no_header_row(kind: FileKind, path: Path) -> LandingError:
    examples = ", ".join(f"«{c.russian}»" for c in kind.columns[:3])
    return LandingError(
        f"{path}: no header row was found in the first {HEADER_SEARCH_ROWS} rows: none of them "
        f"names a column of the {kind.russian} ({examples} …); rule: a file has a header row "
        "naming its columns, above the data."
    )


def sniff_csv_header(kind: FileKind, path: Path, encoding: str) -> tuple[str, int | None]:
    """The delimiter under which a header row names the most known columns, and that row's
    index (None: no row names any column under any delimiter)."""
    with path.open("r", encoding=encoding, newline="") as handle:
        lines = list(islice(handle, HEADER_SEARCH_ROWS))
    lookup = header_lookup(kind)

    def parse(delimiter: str) -> list[list[str]]:
        return list(csv.reader(lines, delimiter=delimiter))

    def score(delimiter: str) -> tuple[int, int]:
        rows = parse(delimiter)
        index = find_header_row(kind, rows)
        fields = rows[index] if index is not None else (rows[0] if rows else [])
        return (_known_cells(fields, lookup) if index is not None else 0), len(fields)

    delimiter = max(DELIMITERS, key=score)
    return delimiter, find_header_row(kind, parse(delimiter))


def map_header(
    kind: FileKind, header: list[str], path: Path, header_row: int = 1
) -> tuple[dict[str, int], dict[str, int]]:
    """Canonical column → position, and unknown header → position."""
    lookup = header_lookup(kind)
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
                f"{path}: row {header_row} (header): columns «{first}» and «{name}» both mean "
                f"{canonical}; rule: every column appears once."
            )
        columns[canonical] = position
    return columns, extras
