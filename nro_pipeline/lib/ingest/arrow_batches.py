"""A CSV parsed by Arrow (multi-threaded C++), normalised like the row-by-row reader.

Every cell goes through the same converters as `row_batches`, once per distinct value of a batch
(dictionary encoding), so the cost follows the distinct values, not the cells. Row numbers are
exact only when every record is one line: the file must have exactly as many lines as rows up to
the header plus records (no blank lines, no line breaks inside quotes). Anything else — a row with
another number of cells, a blank line, a quoted line break, a parser error — raises
`FastPathUnavailable`, and the row-by-row reader, which explains such rows, takes over.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.file_facts import FileFacts
from nro_pipeline.lib.ingest.file_profile import FileProfile
from nro_pipeline.lib.ingest.landing_errors import FastPathUnavailable
from nro_pipeline.lib.ingest.row_batches import batch_schema
from nro_pipeline.lib.ingest.value_normaliser import ArrayConverter, Converter, ValueNormaliser

_ARROW_BLOCK_BYTES = 16 << 20


def _open(profile: FileProfile, facts: FileFacts) -> pa_csv.CSVStreamingReader:
    names = [f"c{i}" for i in range(len(profile.header))]
    try:
        return pa_csv.open_csv(
            profile.path,
            read_options=pa_csv.ReadOptions(
                encoding="utf8" if facts.encoding in ("utf-8", "utf-8-sig") else "cp1251",
                skip_rows=profile.header_row,
                column_names=names,
                block_size=_ARROW_BLOCK_BYTES,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=profile.delimiter or ",", newlines_in_values=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise FastPathUnavailable(str(error)) from error


def arrow_csv_batches(
    profile: FileProfile, kind: FileKind, facts: FileFacts, batch_rows: int
) -> Iterator[pa.Table]:
    reader = _open(profile, facts)
    normalise = ValueNormaliser(kind)
    targets = [
        (
            profile.columns.get(name),
            normalise.array_converter(name) or _per_distinct(normalise.converter(name)),
        )
        for name in kind.column_names
    ]
    extras = list(profile.extra_columns.items())
    schema = batch_schema(kind)
    first = profile.header_row + 1  # the file row of the first record
    records = 0
    yielded = False
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            raise FastPathUnavailable(str(error)) from error
        # numpy, not range(): a Python int per row cost more than parsing the row.
        stop = first + records + batch.num_rows
        row_numbers = pa.array(np.arange(first + records, stop, dtype=np.int64))
        records += batch.num_rows
        table = _canonical(batch, targets, extras, row_numbers, schema)
        for start in range(0, table.num_rows, batch_rows):
            yielded = True
            yield table.slice(start, batch_rows)
    if records + profile.header_row != facts.line_count:
        raise FastPathUnavailable(
            f"{records} records on {facts.line_count} lines (blank lines or quoted line breaks)"
        )
    if not yielded:
        yield schema.empty_table()


def _canonical(
    batch: pa.RecordBatch,
    targets: list[tuple[int | None, ArrayConverter]],
    extras: list[tuple[str, int]],
    row_numbers: pa.Array,
    schema: pa.Schema,
) -> pa.Table:
    """One parsed batch as canonical text, rows of empty cells left out (as `row_batches` does)."""
    filled = _filled_rows(batch)
    columns = [
        convert(batch.column(position))
        if position is not None
        else pa.nulls(batch.num_rows, pa.string())
        for position, convert in targets
    ]
    columns.append(_extras_json(batch, extras))
    columns.append(row_numbers)
    table = pa.Table.from_arrays(columns, schema=schema)
    return table if filled is None else table.filter(filled)


def _filled_rows(batch: pa.RecordBatch) -> pa.Array | None:
    """Which rows have a non-empty cell; None when all have (the usual case, seen as soon as
    the columns looked at so far have a non-empty cell in every row)."""
    filled = None
    for column in batch.columns:
        has_text = pc.not_equal(column, "")
        filled = has_text if filled is None else pc.or_(filled, has_text)
        if pc.all(filled).as_py():
            return None
    return filled


def _per_distinct(convert: Converter) -> ArrayConverter:
    """`convert` applied to every cell, computed once per distinct value."""

    def convert_column(column: pa.Array) -> pa.Array:
        encoded = pc.dictionary_encode(column)
        converted = pa.array([convert(v) for v in encoded.dictionary.to_pylist()], pa.string())
        return pc.take(converted, encoded.indices)

    return convert_column


def _extras_json(batch: pa.RecordBatch, extras: list[tuple[str, int]]) -> pa.Array:
    """Unknown columns as JSON per row, empty cells left out (as `row_batches` writes them)."""
    if not extras:
        return pa.nulls(batch.num_rows, pa.string())
    cells = [(header, batch.column(position).to_pylist()) for header, position in extras]
    out = []
    for index in range(batch.num_rows):
        extra = {header: values[index] for header, values in cells if values[index] != ""}
        out.append(json.dumps(extra, ensure_ascii=False) if extra else None)
    return pa.array(out, pa.string())
