"""The floor of the benchmark (step c): DuckDB alone reads every landing file once, as text.

    python bench/duckdb_floor.py FILE [FILE ...]

Each file is counted with `read_csv(…, all_varchar = true)`: every row split into text cells, as
the raw layer keeps them; nothing typed, validated or aggregated. DuckDB reads UTF-8 (with or
without BOM) and sniffs `,`, `;` or tab itself. What it cannot read is first turned into a UTF-8
CSV in Python, and that transcoding is part of the floor, as its target says:
- a Windows-1251 CSV (DuckDB refuses it as invalid UTF-8; its `encodings` extension would be a
  download), decoded and written again as UTF-8;
- an XLSX workbook (DuckDB's `excel` extension would be a download), its first sheet read with
  python-calamine and written as CSV.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import duckdb

_CHUNK_CHARS = 1 << 22


def _count(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    [(rows,)] = con.execute(
        "SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
    ).fetchall()
    return int(rows)


def _cp1251_as_utf8(path: Path, out: Path) -> None:
    with (
        path.open(encoding="cp1251", newline="") as source,
        out.open("w", encoding="utf-8", newline="") as target,
    ):
        while chunk := source.read(_CHUNK_CHARS):
            target.write(chunk)


def _xlsx_as_csv(path: Path, out: Path) -> None:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    with out.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(sheet.iter_rows())


def count_rows(con: duckdb.DuckDBPyConnection, path: Path, scratch: Path) -> tuple[int, str]:
    """Rows of one landing file, and how it was read (native, or transcoded first)."""
    if path.suffix.lower() == ".xlsx":
        converted = scratch / f"{path.parent.name}_{path.stem}.csv"
        _xlsx_as_csv(path, converted)
        return _count(con, converted), "xlsx → csv"
    try:
        return _count(con, path), "native"
    except duckdb.InvalidInputException as error:
        if "unicode" not in str(error).lower():
            raise
        # Not UTF-8: the landing contract's other encoding is Windows-1251.
        converted = scratch / f"{path.parent.name}_{path.stem}.csv"
        _cp1251_as_utf8(path, converted)
        return _count(con, converted), "cp1251 → utf-8"


def main(argv: list[str]) -> int:
    con = duckdb.connect()
    total, transcoded = 0, 0
    with tempfile.TemporaryDirectory(prefix="nro_floor_") as scratch:
        for name in argv:
            rows, how = count_rows(con, Path(name), Path(scratch))
            total += rows
            transcoded += how != "native"
    print(f"duckdb floor: {len(argv)} files ({transcoded} transcoded first), {total} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
