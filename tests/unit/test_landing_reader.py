"""Every form a landing file may take reads to the same canonical rows.

The forms: docs/methodology.md, «Входные файлы».
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS, SOCIAL_PASSPORT, VPR_RESULTS
from nro_pipeline.lib.ingest.landing_reader import LandingError, read_landing_file
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from tests.support.planted_schools import planted_rows


def _read(path: Path, kind_name: str) -> list[dict]:
    _, batches = read_landing_file(path, FILE_KINDS[kind_name])
    return pa.concat_tables(list(batches)).to_pylist()


# The region's register is not planted: test_support_register.py reads it in every format.
@pytest.mark.parametrize("kind_name", [k for k, kind in FILE_KINDS.items() if not kind.optional])
def test_every_format_loads_the_same_rows(kind_name: str, tmp_path: Path) -> None:
    rows = planted_rows(2024)[kind_name]
    loaded = {}
    for fmt in LandingFormat:
        path = write_landing_file(
            tmp_path / fmt.value / kind_name, FILE_KINDS[kind_name], rows, fmt
        )
        loaded[fmt] = _read(path, kind_name)
    reference = loaded[LandingFormat.CSV_UTF8]
    assert len(reference) == len(rows)
    for fmt, got in loaded.items():
        assert got == reference, f"{fmt.value} differs from csv_utf8"


def test_windows_1251_russian_headers_and_decimal_comma(tmp_path: Path) -> None:
    """Bytes written by hand, not by our writer: the way a regional export arrives."""
    path = tmp_path / "social_passport.csv"
    header = ";".join(f" {c.russian.upper()} " for c in SOCIAL_PASSPORT.columns) + ";Примечание"
    values = "S1;500;50;40;30;200;10;5;8;2;3,5;100,25;40;40;2;20;ёлка"
    path.write_bytes(f"{header}\r\n{values}\r\n".encode("cp1251"))
    profile, batches = read_landing_file(path, SOCIAL_PASSPORT)
    row = pa.concat_tables(list(batches)).to_pylist()[0]
    assert profile.encoding == "cp1251" and profile.delimiter == ";"
    assert row["distance_to_center_km"] == "3.5" and row["internet_mbps"] == "100.25"
    assert row["students_total"] == "500"
    assert row["_extra_columns"] == '{"Примечание": "ёлка"}'
    assert row["_row_number"] == 2


def test_russian_coded_values_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "vpr_results.csv"
    text = "\ufeffКод ОО,Класс,Предмет,Участников,Отметка 2,Отметка 3,Отметка 4,Отметка 5\nS1,5,Русский язык,4,1,1,1,1\n"
    path.write_bytes(text.encode("utf-8"))
    profile, batches = read_landing_file(path, VPR_RESULTS)
    row = pa.concat_tables(list(batches)).to_pylist()[0]
    assert profile.encoding == "utf-8-sig"
    assert (row["school_id"], row["subject"], row["participants"]) == ("S1", "rus", "4")


def test_empty_and_binary_files_are_refused_in_plain_words(tmp_path: Path) -> None:
    empty = tmp_path / "vpr_results.csv"
    empty.write_bytes(b"")
    with pytest.raises(LandingError, match=r"vpr_results.csv: the file is empty"):
        read_landing_file(empty, VPR_RESULTS)
    garbage = tmp_path / "garbage" / "vpr_results.csv"
    garbage.parent.mkdir()
    garbage.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(LandingError, match=r"binary content"):
        read_landing_file(garbage, VPR_RESULTS)


_CYRILLIC_LINE = ("Ш" + "x" * 97 + "\n").encode()  # 100 bytes, one valid multi-byte character
_ASCII_LINE = ("x" * 99 + "\n").encode()


@pytest.mark.parametrize(
    ("line", "tail", "encoding", "problem"),
    [
        (_CYRILLIC_LINE, "Школа\n".encode(), "utf-8", None),
        (_ASCII_LINE, "Школа\n".encode("cp1251"), "cp1251", None),
        (_CYRILLIC_LINE, b"\xd0\xa8\xff\n", None, "row 30001: bytes that are not valid UTF-8"),
        (_CYRILLIC_LINE, "Школа".encode()[:3], None, "row 30001: bytes that are not valid UTF-8"),
        (_ASCII_LINE, b"\x00\n", None, "binary content"),
    ],
    ids=["utf-8", "windows-1251", "damaged", "cut at the end", "nul"],
)
def test_encoding_decided_late_in_the_file(
    line: bytes, tail: bytes, encoding: str | None, problem: str | None, tmp_path: Path
) -> None:
    """Bytes that decide the encoding only after the first megabytes: the quick UTF-8 pass hands
    over to the full one, which still names the right row (30,000 lines of 100 bytes first)."""
    from nro_pipeline.lib.ingest.file_facts import inspect_file

    path = tmp_path / "schools.csv"
    path.write_bytes(line * 30_000 + tail)
    facts = inspect_file(path)
    assert (facts.encoding, facts.size_bytes, facts.line_count) == (
        encoding,
        3_000_000 + len(tail),
        30_001,
    )
    assert (facts.problem or "").startswith(problem or "")
    assert (facts.problem is None) == (problem is None)


def _read_both_ways(path: Path, kind_name: str) -> tuple[list[dict], list[dict]]:
    """Rows through Arrow's parser (raising FastPathUnavailable when it cannot vouch for them)
    and row by row through Python's csv module."""
    kind = FILE_KINDS[kind_name]
    _, fast = read_landing_file(path, kind)
    _, slow = read_landing_file(path, kind, fast=False)
    return pa.concat_tables(list(fast)).to_pylist(), pa.concat_tables(list(slow)).to_pylist()


@pytest.mark.parametrize(
    "fmt", [f for f in LandingFormat if f is not LandingFormat.XLSX], ids=lambda f: f.value
)
def test_arrow_csv_path_gives_the_row_by_row_result(fmt: LandingFormat, tmp_path: Path) -> None:
    rows = planted_rows(2024)["gia_results"]
    path = write_landing_file(tmp_path / "gia_results", FILE_KINDS["gia_results"], rows, fmt)
    fast, slow = _read_both_ways(path, "gia_results")
    assert fast == slow and len(fast) == len(rows)


def test_arrow_csv_path_normalises_cells_like_the_row_by_row_reader(tmp_path: Path) -> None:
    """Padding, a no-break space, Russian codes, a decimal comma, an empty row of delimiters and
    an unknown column: the same canonical text both ways, row numbers as in the file."""
    path = tmp_path / "vpr_results.csv"
    path.write_text(
        "Код ОО;Класс;Предмет;Участников;Отметка 2;Отметка 3;Отметка 4;Отметка 5;Комментарий\n"
        "  S1 ;5,0;РУССКИЙ ЯЗЫК;4;1;1;1;1;\n"
        ";;;;;;;;\n"
        "S\u00a02;6;математика;2;0;1;1;0;пересчитано\n",
        encoding="utf-8",
    )
    fast, slow = _read_both_ways(path, "vpr_results")
    assert fast == slow
    assert [(r["school_id"], r["grade"], r["subject"], r["_row_number"]) for r in fast] == [
        ("S1", "5", "rus", 2),
        ("S 2", "6", "math", 4),
    ]
    assert fast[1]["_extra_columns"] == '{"Комментарий": "пересчитано"}'


def test_arrow_csv_path_trims_ids_with_pythons_whitespace(tmp_path: Path) -> None:
    """Ids are trimmed in vectorised Arrow passes: the same cells as `str.strip()` gives, for
    Unicode spaces too; a BOM or a zero-width space is not whitespace and stays."""
    path = tmp_path / "gia_results.csv"
    tail = ",sch1,OGE,math,20,4,main,current\n"
    cells = ["\u3000P1\u2007", "\u00a0P2\x1f", "P\u00a03", "\u202f \u00a0", "\ufeffP5", "P6\u200b"]
    path.write_text(
        "participant_id,school_id,exam,subject,score,mark,attempt,category\n"
        + "".join(cell + tail for cell in cells),
        encoding="utf-8",
    )
    fast, slow = _read_both_ways(path, "gia_results")
    assert fast == slow
    assert [r["participant_id"] for r in fast] == ["P1", "P2", "P 3", None, "\ufeffP5", "P6\u200b"]


def test_python_whitespace_is_what_str_strip_removes() -> None:
    """The set given to Arrow's trim must follow the running Python's Unicode tables."""
    import sys

    from nro_pipeline.lib.ingest.value_normaliser import PYTHON_WHITESPACE

    every = (chr(c) for c in range(sys.maxunicode + 1))
    assert "".join(c for c in every if c.isspace()) == PYTHON_WHITESPACE


@pytest.mark.parametrize(
    "body",
    [
        "S1,5,rus,4,1,1,1,1\n\nS2,5,rus,4,1,1,1,1\n",  # a blank line: numbers must still count it
        'S1,5,"rus",4,1,1,1,1\nS2,5,"ru\ns",4,1,1,1,1\n',  # a line break inside quotes
        "S1,5,rus,4,1,1,1,1\nS2,5,rus,4,1,1,1\n",  # a row one cell short
    ],
    ids=["blank line", "quoted line break", "short row"],
)
def test_arrow_csv_path_steps_aside_when_it_cannot_vouch_for_row_numbers(
    body: str, tmp_path: Path
) -> None:
    from nro_pipeline.lib.ingest.landing_reader import FastPathUnavailable

    path = tmp_path / "vpr_results.csv"
    header = "school_id,grade,subject,participants,mark_2,mark_3,mark_4,mark_5\n"
    path.write_text(header + body, encoding="utf-8")
    _, fast = read_landing_file(path, VPR_RESULTS)
    with pytest.raises(FastPathUnavailable):
        list(fast)


def test_loader_reads_row_by_row_when_the_arrow_path_steps_aside(tmp_path: Path) -> None:
    import duckdb

    from nro_pipeline.lib.ingest.raw_loader import load_file

    path = tmp_path / "vpr_results.csv"
    header = "school_id,grade,subject,participants,mark_2,mark_3,mark_4,mark_5\n"
    path.write_text(header + "S1,5,rus,4,1,1,1,1\n\nS2,5,rus,4,1,1,1,1\n", encoding="utf-8")
    con = duckdb.connect()
    report = load_file(con, 2024, VPR_RESULTS, path)
    rows = con.execute("SELECT school_id, _row_number FROM raw.vpr_results ORDER BY 2").fetchall()
    assert report.rows == 2 and rows == [("S1", 2), ("S2", 4)]


# --- official exports: a title row and blank rows above the header ---------------------------

VPR_HEADER_RU = "Код ОО;Класс;Предмет;Участников;Отметка 2;Отметка 3;Отметка 4;Отметка 5"


@pytest.mark.parametrize("blank", ["", ";;;;;;;"], ids=["empty line", "line of delimiters"])
def test_csv_title_and_blank_row_above_the_header(blank: str, tmp_path: Path) -> None:
    """Row 1 the title, row 2 blank, row 3 the header: data rows keep their numbers 4 and 5,
    through Arrow's parser and row by row alike."""
    path = tmp_path / "vpr_results.csv"
    path.write_text(
        f"Результаты ВПР 2024 года;;;;;;;\n{blank}\n{VPR_HEADER_RU}\n"
        "S1;5;математика;4;1;1;1;1\nS2;6;русский язык;3;0;1;1;1\n",
        encoding="utf-8",
    )
    fast, slow = _read_both_ways(path, "vpr_results")
    assert fast == slow
    assert [(r["school_id"], r["subject"], r["_row_number"]) for r in fast] == [
        ("S1", "math", 4),
        ("S2", "rus", 5),
    ]
    profile, _ = read_landing_file(path, VPR_RESULTS)
    assert profile.header_row == 3 and profile.delimiter == ";"
    assert profile.columns["participants"] == 3 and profile.extra_columns == {}


def test_xlsx_title_and_blank_row_above_the_header(tmp_path: Path) -> None:
    """A workbook as Excel exports it: a merged title cell over the columns, a blank row."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Результаты ВПР 2024 года"
    sheet.merge_cells("A1:H1")
    sheet.append([])  # row 2 stays blank
    sheet.append(VPR_HEADER_RU.split(";"))
    sheet.append(["S1", 5, "Математика", 4, 1, 1, 1, 1])
    sheet.append(["S2", 6, "Русский язык", 3, 0, 1, 1, 1])
    path = tmp_path / "vpr_results.xlsx"
    workbook.save(path)
    profile, batches = read_landing_file(path, VPR_RESULTS)
    rows = pa.concat_tables(list(batches)).to_pylist()
    assert profile.header_row == 3 and profile.describe() == "XLSX (first sheet), header in row 3"
    assert [(r["school_id"], r["grade"], r["mark_2"], r["_row_number"]) for r in rows] == [
        ("S1", "5", "1", 4),
        ("S2", "6", "0", 5),
    ]


def test_header_row_missing_a_column_is_still_the_header(tmp_path: Path) -> None:
    """Below a title, a header without «Отметка 5» is still found (GX then names the column)."""
    path = tmp_path / "vpr_results.csv"
    header = VPR_HEADER_RU.rsplit(";", 1)[0]
    path.write_text(f"ВПР\n{header}\nS1;5;математика;4;1;1;2\n", encoding="utf-8")
    profile, batches = read_landing_file(path, VPR_RESULTS)
    assert profile.header_row == 2 and "mark_5" not in profile.columns
    assert [r["_row_number"] for r in pa.concat_tables(list(batches)).to_pylist()] == [3]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_header_row_in_the_first_rows_is_said_plainly(suffix: str, tmp_path: Path) -> None:
    import openpyxl

    lines = [["Результаты ВПР 2024 года"], [], *([f"S{i}", "5", "математика"] for i in range(12))]
    path = tmp_path / f"vpr_results{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        for line in lines:
            workbook.active.append(line)
        workbook.save(path)
    with pytest.raises(LandingError) as error:
        read_landing_file(path, VPR_RESULTS)
    assert str(error.value).startswith(
        f"{path}: no header row was found in the first 10 rows: none of them names a column of "
        "the результаты ВПР («код ОО», «класс», «предмет» …)"
    )
