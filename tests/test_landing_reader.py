"""Every form a landing file may take (SPEC §2) reads to the same canonical rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from nro_pipeline.file_kinds import FILE_KINDS, SOCIAL_PASSPORT, VPR_RESULTS
from nro_pipeline.landing_reader import LandingError, read_landing_file
from nro_pipeline.landing_writer import LandingFormat, write_landing_file
from tests.planted_schools import planted_rows


def _read(path: Path, kind_name: str) -> list[dict]:
    _, batches = read_landing_file(path, FILE_KINDS[kind_name])
    return pa.concat_tables(list(batches)).to_pylist()


@pytest.mark.parametrize("kind_name", list(FILE_KINDS))
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
