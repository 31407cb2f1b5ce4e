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
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from nro_pipeline.lib.contract.file_kinds import CODED_VALUES, ColumnType, FileKind, normalise_label

SUFFIXES = (".csv", ".xlsx")
# Headers of an unknown column that says which year the rows belong to (normalised).
YEAR_HEADERS = frozenset(
    {
        "year",
        "results year",
        "school year",
        "год",
        "учебный год",
        "год проведения",
        "год результатов",
    }
)
DELIMITERS = (";", "\t", ",")
BATCH_ROWS = 100_000
_HASH_CHUNK = 1 << 20


class LandingError(Exception):
    """A landing file that cannot be read; the message is meant for the person who delivered it."""


class FastPathUnavailable(Exception):
    """Arrow's CSV parser cannot vouch for this file: read it again row by row (`fast=False`)."""


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

    @property
    def year_columns(self) -> list[str]:
        """Unknown columns that state the year of the data (checked against the year folder)."""
        return [h for h in self.extra_columns if normalise_label(h) in YEAR_HEADERS]

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


@dataclass(frozen=True)
class FileFacts:
    """What one streaming pass over the bytes tells: identity, size and how the text is encoded.

    Computed before anything is read or archived, so that the archive, the "same content as last
    time" skip and the reader all work from one pass. It never raises for bad content: the reader
    turns `problem` into a LandingError, while the archive still keeps what arrived.
    """

    content_hash: str
    size_bytes: int
    encoding: str | None  # utf-8 | utf-8-sig | cp1251 | None (binary or undecidable)
    problem: str | None = None  # why the bytes are not usable text, in plain words
    line_count: int = 0  # lines ended by \n (a last line without one counts too)


# UTF-8 text that was once decoded as Windows-1251 and saved again: every Cyrillic letter becomes
# «Р» or «С» followed by a character of the Windows-1251 range 0x80–0xBF («РљРѕРґ» for «Код»).
# Three such pairs in a row never occur in real Russian text.
_MOJIBAKE = re.compile(
    "(?:[РС][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1251", errors="ignore")) + "]){3,}"
)
_MOJIBAKE_SCAN_BYTES = 4 << 20
_ZIP_MAGIC = b"PK\x03\x04"


def inspect_file(path: Path) -> FileFacts:
    """One pass: SHA-256, size, and the text encoding (or why there is none).

    The encoding rule (SPEC §2 allows UTF-8 with or without BOM, or Windows-1251):
    - valid UTF-8 throughout → UTF-8;
    - NUL bytes → binary, not text;
    - invalid UTF-8 sequences but more valid multi-byte UTF-8 characters than invalid sequences →
      a UTF-8 file with damaged bytes. Refused, not repaired: we cannot know what the bytes were
      (a school id or name could change silently), and reading it as Windows-1251 would turn every
      Cyrillic letter into mojibake. The message names the first damaged row.
    - otherwise → Windows-1251 (its Cyrillic letters are almost never valid UTF-8), unless it has a
      byte Windows-1251 does not define (0x98).
    UTF-8 text with mojibake (text once decoded with the wrong code page and saved again) is
    refused too: it is readable but wrong (looked for in the first 4 MiB).
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    size = valid_multibyte = invalid = lines_before = 0
    binary = undefined_1251 = False
    first_bad: tuple[int, str] | None = None
    mojibake: tuple[int, str] | None = None
    head = b""
    newlines = 0
    last_byte = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            if not head:
                head = chunk[:4]
            newlines += chunk.count(b"\n")
            last_byte = chunk[-1:]
            digest.update(chunk)
            size += len(chunk)
            binary = binary or b"\x00" in chunk
            undefined_1251 = undefined_1251 or b"\x98" in chunk
            if binary:
                continue
            text = decoder.decode(chunk)
            # U+FFFD marks an invalid sequence, unless the file itself holds a (valid) U+FFFD.
            bad = max(text.count("\ufffd") - chunk.count(b"\xef\xbf\xbd"), 0)
            valid_multibyte += len(text) - len(text.encode("ascii", "ignore")) - bad
            if bad and first_bad is None:
                at = text.index("\ufffd")
                first_bad = (lines_before + text.count("\n", 0, at) + 1, _around(text, at))
            invalid += bad
            # A file is re-saved with the wrong code page as a whole, so its start shows it; the
            # regex is the slow part of this pass, hence only the first chunks.
            scan = mojibake is None and size <= _MOJIBAKE_SCAN_BYTES
            if scan and (found := _MOJIBAKE.search(text)):
                at = found.start()
                mojibake = (lines_before + text.count("\n", 0, at) + 1, found.group(0)[:24])
            lines_before += text.count("\n")
    if not binary:
        tail = decoder.decode(b"", final=True)
        if "\ufffd" in tail:
            invalid += 1
            first_bad = first_bad or (lines_before + 1, "end of file")
    content_hash = digest.hexdigest()
    encoding: str | None
    problem: str | None = None
    if binary:
        encoding = None
        problem = (
            "an XLSX workbook (zip) with a .csv name; rename it to .xlsx"
            if head == _ZIP_MAGIC
            else "binary content, not a text CSV"
        )
    elif invalid == 0:
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        if mojibake is not None:
            problem = (
                f"row {mojibake[0]}: «{mojibake[1]}…» is garbled text (UTF-8 once read as "
                "Windows-1251 and saved again); re-export the file from the source system"
            )
    elif valid_multibyte > invalid:
        encoding = None
        row, context = first_bad or (1, "")
        problem = (
            f"row {row}: bytes that are not valid UTF-8 (shown as �: «{context}») in a file "
            f"that is otherwise UTF-8 ({invalid} damaged sequence(s)); it was not loaded because "
            "the damaged characters cannot be recovered; re-export or repair the file"
        )
    elif undefined_1251:
        encoding = None
        problem = "the text is neither UTF-8 nor Windows-1251"
    else:
        encoding = "cp1251"
    line_count = newlines + (1 if last_byte not in (b"", b"\n") else 0)
    return FileFacts(content_hash, size, encoding, problem, line_count)


def _around(text: str, at: int, width: int = 20) -> str:
    start = max(text.rfind("\n", 0, at) + 1, at - width)
    end = text.find("\n", at)
    end = min(end if end >= 0 else len(text), at + width)
    return text[start:end].strip()


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
    """Canonical text for one kind's cells: trimmed, codes in English, decimal point.

    `converter(column)` returns a function specialised for one column: a national GIA file has
    tens of millions of cells, and looking the column up per cell cost more than converting it.
    """

    # Coded columns hold a handful of distinct values: remember each one's result, up to a bound
    # so that a file full of distinct junk in a coded column cannot grow the cache without limit.
    CACHE_LIMIT = 10_000

    def __init__(self, kind: FileKind) -> None:
        self.kind = kind
        self.coded = {c.name: _coded_lookup(c.coded) for c in kind.columns if c.coded}

    def __call__(self, column: str, value: object) -> str | None:
        return self.converter(column)(value)

    def converter(self, column: str) -> Callable[[object], str | None]:
        spec = self.kind.column(column)
        coded = self.coded.get(column)
        keep_float_integral = spec.type is not ColumnType.DECIMAL

        def text_of(value: object) -> str | None:
            if isinstance(value, float):
                # XLSX stores every number as a float: 12.0 is the count 12 or the code "12".
                return (
                    str(int(value)) if keep_float_integral and value.is_integer() else repr(value)
                )
            return str(value).strip().replace("\u00a0", " ")

        if column == "levels" or coded is not None:
            assert coded is not None
            cache: dict[object, str | None] = {}

            def convert_coded(value: object) -> str | None:
                if value is None:
                    return None
                if (hit := cache.get(value, _MISSING)) is not _MISSING:
                    return hit  # type: ignore[return-value]
                text = text_of(value)
                if text == "":
                    result = None
                elif column == "levels":
                    result = _levels(text, coded)
                else:
                    result = coded.get(normalise_label(text), text)
                if type(value) is str and len(cache) < self.CACHE_LIMIT:
                    cache[value] = result  # text only: True, 1 and 1.0 hash alike, render apart
                return result

            return convert_coded
        if spec.type is ColumnType.DECIMAL:

            def convert_decimal(value: object) -> str | None:
                if value is None:
                    return None
                text = text_of(value)
                if text == "":
                    return None
                if "," in text and _DECIMAL_COMMA.match(text):
                    return text.replace(",", ".")
                return text

            return convert_decimal
        if spec.type is ColumnType.INTEGER:

            def convert_integer(value: object) -> str | None:
                if value is None:
                    return None
                text = text_of(value)
                if text == "":
                    return None
                if ("." in text or "," in text) and (match := _INTEGRAL_FLOAT.match(text)):
                    return match.group(1)
                return text

            return convert_integer

        def convert_text(value: object) -> str | None:
            if value is None:
                return None
            text = text_of(value)
            return None if text == "" else text

        return convert_text


_MISSING = object()


def _levels(text: str, coded: dict[str, str]) -> str:
    parts = [p for p in re.split(r"[,;/ ]+", text) if p]
    mapped = [coded.get(normalise_label(p), p) for p in parts]
    known = sorted({m for m in mapped if m in _LEVEL_ORDER}, key=_LEVEL_ORDER.index)
    unknown = [m for m in mapped if m not in _LEVEL_ORDER]
    return ",".join(known + unknown)


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


def read_landing_file(
    path: Path,
    kind: FileKind,
    batch_rows: int = BATCH_ROWS,
    facts: FileFacts | None = None,
    fast: bool = True,
) -> tuple[FileProfile, Iterator[pa.Table]]:
    """Profile the file and return its rows as Arrow batches of canonical text.

    Each batch has the kind's canonical columns (a column the file lacks is all null), then
    `_extra_columns` (JSON of unknown columns) and `_row_number` (row in the file, header = 1).
    `facts` (from `inspect_file`) saves a second pass over the bytes when the caller has them.
    Structural problems (unreadable file, damaged encoding, rows whose cells do not line up with
    the header) raise LandingError, also part-way through the batches.

    A CSV is read by Arrow's parser when `fast` (see `_arrow_csv_batches`); when that parser
    cannot vouch for the result it raises `FastPathUnavailable`, also part-way through, and the
    caller reads the file again with `fast=False` (Python's csv module, row by row).
    """
    facts = facts or inspect_file(path)
    suffix = path.suffix.lower()
    if facts.size_bytes == 0:
        raise LandingError(
            f"{path}: the file is empty (0 bytes); rule: a file has at least a header row."
        )
    profile = FileProfile(
        path, facts.content_hash, facts.size_bytes, "xlsx" if suffix == ".xlsx" else "csv"
    )
    if profile.file_format == "csv":
        if facts.encoding is None or facts.problem:
            raise LandingError(
                f"{path}: {facts.problem or 'not readable text'}; "
                "rule: a .csv file is UTF-8 or Windows-1251 text."
            )
        profile.encoding = facts.encoding
        profile.delimiter = _sniff_delimiter(kind, path, facts.encoding)
        rows: Iterator[list[object]] = _csv_rows(path, facts.encoding, profile.delimiter)
    else:
        rows = _xlsx_rows(path, facts)
    try:
        header = next(rows)
    except StopIteration:
        raise LandingError(f"{path}: the file has no header row.") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise LandingError(f"{path}: row 1: unreadable CSV ({error}).") from error
    profile.header = ["" if h is None else str(h) for h in header]
    profile.columns, profile.extra_columns = map_header(kind, profile.header, path)
    if fast and profile.file_format == "csv":
        if isinstance(rows, Generator):
            rows.close()  # the header was all the row-by-row reader was needed for
        return profile, _arrow_csv_batches(profile, kind, facts, batch_rows)
    return profile, _batches(profile, kind, rows, batch_rows)


def _misaligned_row(profile: FileProfile, row: list[object], row_number: int) -> str | None:
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
            names = {"\t": "tab", ";": "';'", ",": "','"}
            return (
                f"row {row_number}: its cells are separated by {names[other]} while the header "
                f"uses {names[delimiter]} (mixed delimiters); rule: one delimiter throughout the file."
            )
    return (
        f"row {row_number}: {cells} cell(s) where the header has {width}, so its values cannot be "
        "matched to columns; rule: every row has the header's number of cells."
    )


def _batches(
    profile: FileProfile, kind: FileKind, rows: Iterator[list[object]], batch_rows: int
) -> Iterator[pa.Table]:
    normalise = _ValueNormaliser(kind)
    names = kind.column_names
    positions = [profile.columns.get(name) for name in names]
    columns = [
        (buffer_name, position, normalise.converter(buffer_name))
        for buffer_name, position in zip(names, positions, strict=True)
    ]
    extras = list(profile.extra_columns.items())
    schema = pa.schema(
        [(name, pa.string()) for name in names]
        + [("_extra_columns", pa.string()), ("_row_number", pa.int64())]
    )
    buffer: dict[str, list] = {name: [] for name in schema.names}
    targets = [(buffer[name], position, convert) for name, position, convert in columns]
    row_number = 1
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
            if check_width and (problem := _misaligned_row(profile, row, row_number)):
                raise LandingError(f"{profile.path}: {problem}")
            width = len(row)
            for target, position, convert in targets:
                cell = row[position] if position is not None and position < width else None
                target.append(convert(cell))
            extra = (
                {h: row[p] for h, p in extras if p < width and row[p] not in (None, "")}
                if extras
                else None
            )
            buffer["_extra_columns"].append(
                json.dumps(extra, ensure_ascii=False, default=str) if extra else None
            )
            buffer["_row_number"].append(row_number)
            if len(buffer["_row_number"]) >= batch_rows:
                yield pa.table(buffer, schema=schema)
                buffer = {name: [] for name in schema.names}
                targets = [(buffer[name], position, convert) for name, position, convert in columns]
    except csv.Error as error:
        raise LandingError(
            f"{profile.path}: row {row_number}: unreadable CSV ({error})."
        ) from error
    if buffer["_row_number"] or row_number == 1:
        yield pa.table(buffer, schema=schema)


_ARROW_BLOCK_BYTES = 16 << 20


def _arrow_csv_batches(
    profile: FileProfile, kind: FileKind, facts: FileFacts, batch_rows: int
) -> Iterator[pa.Table]:
    """The rows of a CSV parsed by Arrow (multi-threaded C++), normalised like `_batches`.

    Every cell goes through the same converters as the row-by-row path, once per distinct value
    of a batch (dictionary encoding), so a national GIA file costs seconds instead of minutes.
    Row numbers are exact only when every record is one line: the file must have exactly header +
    records lines (no blank lines, no line breaks inside quotes). Anything else — a row with
    another number of cells, a blank line, a quoted line break, a parser error — raises
    `FastPathUnavailable`, and the row-by-row reader, which explains such rows, takes over.
    """
    width = len(profile.header)
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            profile.path,
            read_options=pa_csv.ReadOptions(
                encoding="utf8" if facts.encoding in ("utf-8", "utf-8-sig") else "cp1251",
                skip_rows=1,
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
    normalise = _ValueNormaliser(kind)
    targets = [
        (name, profile.columns.get(name), normalise.converter(name)) for name in kind.column_names
    ]
    extras = list(profile.extra_columns.items())
    schema = pa.schema(
        [(name, pa.string()) for name in kind.column_names]
        + [("_extra_columns", pa.string()), ("_row_number", pa.int64())]
    )
    records = 0
    yielded = False
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            raise FastPathUnavailable(str(error)) from error
        row_numbers = pa.array(range(records + 2, records + 2 + batch.num_rows), pa.int64())
        records += batch.num_rows
        # A row of empty cells (";;;;") carries nothing, as in `_batches`; its number still counts.
        filled = None
        for column in batch.columns:
            has_text = pc.not_equal(column, "")
            filled = has_text if filled is None else pc.or_(filled, has_text)
        columns = [
            _convert_column(batch.column(position), convert)
            if position is not None
            else pa.nulls(batch.num_rows, pa.string())
            for _, position, convert in targets
        ]
        columns.append(_extras_json(batch, extras))
        columns.append(row_numbers)
        table = pa.Table.from_arrays(columns, schema=schema)
        if filled is not None and not pc.all(filled).as_py():
            table = table.filter(filled)
        for start in range(0, table.num_rows, batch_rows):
            yielded = True
            yield table.slice(start, batch_rows)
    if records + 1 != facts.line_count:
        raise FastPathUnavailable(
            f"{records} records on {facts.line_count} lines (blank lines or quoted line breaks)"
        )
    if not yielded:
        yield schema.empty_table()


def _convert_column(
    column: pa.ChunkedArray | pa.Array, convert: Callable[[object], str | None]
) -> pa.Array:
    """`convert` applied to every cell, computed once per distinct value."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    converted = pa.array([convert(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(converted, encoded.indices)


def _extras_json(batch: pa.RecordBatch, extras: list[tuple[str, int]]) -> pa.Array:
    """Unknown columns as JSON per row, empty cells left out (as `_batches` writes them)."""
    if not extras:
        return pa.nulls(batch.num_rows, pa.string())
    cells = [(header, batch.column(position).to_pylist()) for header, position in extras]
    out = []
    for index in range(batch.num_rows):
        extra = {header: values[index] for header, values in cells if values[index] != ""}
        out.append(json.dumps(extra, ensure_ascii=False) if extra else None)
    return pa.array(out, pa.string())
