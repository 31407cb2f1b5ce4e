"""A catalogue of bad input (docs/methodology.md, «Ошибки во входных данных»): every case says
file, row and rule in plain words, and leaves the warehouse in a known state.

Most cases run the reader, loader and GX check functions on small files and a temporary DuckDB
(fast); the last few go through the real `nro run` on a copy of the session's region.
"""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.archive import archive_file, read_manifest, restore_landing
from nro_pipeline.lib.ingest.landing_reader import LandingError
from nro_pipeline.lib.ingest.raw_loader import (
    ALLOW_SHRINK_ENV,
    LoadReport,
    load_file,
    stated_results_year,
)
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from nro_pipeline.lib.validate.quarantine_policy import (
    POLICY_ENV,
    QuarantineConfigError,
    QuarantinePolicy,
    Verdict,
    quarantine_policy,
)
from nro_pipeline.lib.validate.validation import ValidationOutcome, check_landed_year
from nro_pipeline.settings import DBT_PROJECT_DIR
from tests.support.run import nro, query

YEAR = 2024
SCHOOL_IDS = ("S1", "S2", "S3", "S4", "S5", "S6")

Rows = list[dict[str, object]]


def good_rows(kind: str, year: int = YEAR, schools: tuple[str, ...] = SCHOOL_IDS) -> Rows:
    """A small valid file of `kind`: every row passes every rule."""
    if kind == "schools":
        return [
            {
                "school_id": s,
                "school_name": f"МБОУ «Средняя школа № {i}» имени Ёлкина",
                "municipality": "городской округ Северогорск",
                "locality_type": "city" if i % 2 else "rural",
                "levels": "NOO,OOO,SOO",
                "latitude": 60 + i / 10,
                "longitude": 43 + i / 10,
                "successor_id": None,
            }
            for i, s in enumerate(schools, start=1)
        ]
    if kind == "vpr_results":
        return [
            {
                "school_id": s,
                "grade": grade,
                "subject": subject,
                "participants": 20 + year % 5,  # two years' files never coincide
                "mark_2": 2,
                "mark_3": 6 + year % 5,
                "mark_4": 8,
                "mark_5": 4,
            }
            for s in schools
            for grade in (5, 6)
            for subject in ("math", "rus")
        ]
    if kind == "gia_results":
        return [
            {
                "participant_id": f"P{year}-{n:06d}",
                "school_id": s,
                "exam": "OGE",
                "subject": subject,
                "score": 20,
                "mark": 4,
                "attempt": "main",
                "category": "current",
            }
            for n, (s, subject) in enumerate(
                ((s, subject) for s in schools for subject in ("math", "rus")), start=1
            )
        ]
    if kind == "support_register":
        return [
            {
                "school_id": schools[0],
                "decision": "confirm",
                "reason": "решение рабочей группы",
                "partner_id": schools[1],
                "agreement_date": f"01.09.{year}",
                "decided_by": "приказ № 123",
            }
        ]
    return [
        {
            "school_id": s,
            "students_total": 300 + i,
            "low_income": 30,
            "single_parent": 20,
            "large_family": 15,
            "parents_higher_edu": 120,
            "unemployed_parents": 10,
            "non_native_russian": 5,
            "disabled": 6,
            "registered_at_risk": 2,
            "distance_to_center_km": 12.5,
            "internet_mbps": 50,
            "computers": 20,
            "teachers_total": 25,
            "teacher_vacancies": 1,
            "teachers_trained": 10,
        }
        for i, s in enumerate(schools, start=1)
    ]


@dataclass
class Warehouse:
    """A temporary DuckDB with one good year landed and checked, and helpers to land more."""

    root: Path
    con: duckdb.DuckDBPyConnection

    def write(
        self,
        kind: str,
        rows: Rows,
        year: int = YEAR,
        folder: str = "delivery",
        fmt: LandingFormat = LandingFormat.CSV_UTF8,
        extra_columns: tuple[str, ...] = (),
    ) -> Path:
        return write_landing_file(
            self.root / folder / str(year) / kind,
            FILE_KINDS[kind],
            rows,
            fmt,
            extra_columns=extra_columns,
        )

    def path(self, kind: str, name: str, year: int = YEAR) -> Path:
        """Where a hand-made file of `kind` goes."""
        path = self.root / "handmade" / str(year) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        assert name.startswith(kind)
        return path

    def land(self, kind: str, path: Path, year: int = YEAR) -> LoadReport:
        return load_file(self.con, year, FILE_KINDS[kind], path)

    def check(
        self,
        kind: str,
        year: int = YEAR,
        policy: QuarantinePolicy = QuarantinePolicy.BLOCK,
        allowed_share: float = 0.5,
    ) -> tuple[ValidationOutcome, Verdict]:
        return check_landed_year(self.con, year, FILE_KINDS[kind], policy, allowed_share)

    def raw_rows(self, kind: str, year: int = YEAR) -> list[tuple]:
        return self.con.execute(
            f"SELECT * EXCLUDE (_loaded_at) FROM raw.{kind} WHERE year = ? ORDER BY _row_number",
            [year],
        ).fetchall()

    def landed(self, kind: str, year: int = YEAR) -> dict:
        cursor = self.con.execute(
            "SELECT * FROM raw.landed_files WHERE year = ? AND kind = ?", [year, kind]
        )
        row = cursor.fetchone()
        assert row is not None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))

    def quarantine(self, kind: str, year: int = YEAR) -> list[tuple]:
        return self.con.execute(
            """SELECT row_number, rule, offending_values, source_row FROM quarantine.rejected_rows
               WHERE year = ? AND kind = ? ORDER BY row_number, rule""",
            [year, kind],
        ).fetchall()

    def land_and_check(
        self, kind: str, rows: Rows, year: int = YEAR, **check: object
    ) -> tuple[Path, ValidationOutcome, Verdict]:
        path = self.write(kind, rows, year)
        self.land(kind, path, year)
        outcome, verdict = self.check(kind, year, **check)  # type: ignore[arg-type]
        return path, outcome, verdict


@pytest.fixture(scope="module")
def good_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with 2024 landed from good files that pass every check (built once)."""
    root = tmp_path_factory.mktemp("good_year")
    with duckdb.connect(str(root / "nro.duckdb")) as con:
        warehouse = Warehouse(root, con)
        for kind in FILE_KINDS:
            warehouse.land(kind, warehouse.write(kind, good_rows(kind), folder="landing"))
            outcome, verdict = warehouse.check(kind)
            assert verdict.passed and not verdict.warn_only, outcome.message()
    return root / "nro.duckdb"


@pytest.fixture
def wh(good_year: Path, tmp_path: Path) -> Iterator[Warehouse]:
    shutil.copy(good_year, tmp_path / "nro.duckdb")
    con = duckdb.connect(str(tmp_path / "nro.duckdb"))
    yield Warehouse(tmp_path, con)
    con.close()


def refused(wh: Warehouse, kind: str, path: Path, year: int = YEAR) -> str:
    """Land a file that must be refused; the year's raw rows and record must stay as they were."""
    before, landed_before = wh.raw_rows(kind, year), wh.landed(kind, year)
    with pytest.raises(LandingError) as error:
        wh.land(kind, path, year)
    assert wh.raw_rows(kind, year) == before
    assert wh.landed(kind, year) == landed_before
    message = str(error.value)
    assert message.startswith(str(path)) and "Traceback" not in message
    return message


def rows_with(kind: str, changes: dict[int, dict[str, object]]) -> Rows:
    """The good rows with some cells changed: {index in the list: {column: value}}."""
    rows = copy.deepcopy(good_rows(kind))
    for index, change in changes.items():
        rows[index].update(change)
    return rows


def file_row(index: int) -> int:
    """The file row of the index-th data row (row 1 is the header)."""
    return index + 2


# --- files that cannot be read: refused before anything is replaced ---------------------------


def test_empty_file(wh: Warehouse) -> None:
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_bytes(b"")
    message = refused(wh, "vpr_results", path)
    assert "the file is empty (0 bytes); rule: a file has at least a header row" in message


def test_header_only_file_is_valid_with_a_warning(wh: Warehouse) -> None:
    path = wh.write("gia_results", [])
    report = wh.land("gia_results", path)
    assert report.rows == 0 and wh.raw_rows("gia_results") == []
    assert report.warnings == [
        f"{path}: header only, no rows — 2024 simply had no gia_results data."
    ]
    _, verdict = wh.check("gia_results")
    assert verdict.passed and not verdict.warn_only


def test_binary_garbage(wh: Warehouse) -> None:
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_bytes(bytes(range(256)) * 8)
    message = refused(wh, "vpr_results", path)
    assert "binary content, not a text CSV; rule: a .csv file is UTF-8 or Windows-1251" in message


def test_workbook_delivered_with_a_csv_name(wh: Warehouse) -> None:
    workbook = wh.write("vpr_results", good_rows("vpr_results"), fmt=LandingFormat.XLSX)
    path = wh.path("vpr_results", "vpr_results.csv")
    shutil.copy(workbook, path)
    message = refused(wh, "vpr_results", path)
    assert "an XLSX workbook (zip) with a .csv name; rename it to .xlsx" in message


def test_truncated_xlsx(wh: Warehouse) -> None:
    workbook = wh.write("social_passport", good_rows("social_passport"), fmt=LandingFormat.XLSX)
    path = wh.path("social_passport", "social_passport.xlsx")
    path.write_bytes(workbook.read_bytes()[: workbook.stat().st_size // 2])
    message = refused(wh, "social_passport", path)
    assert "not a readable XLSX workbook" in message
    assert "rule: a file must be a valid CSV or XLSX" in message


def test_windows_1251_is_detected_not_loaded_as_mojibake(wh: Warehouse) -> None:
    rows = good_rows("schools")
    path = wh.write("schools", rows, fmt=LandingFormat.CSV_CP1251_RU)
    report = wh.land("schools", path)
    assert report.profile.encoding == "cp1251" and report.profile.delimiter == ";"
    names = [r[0] for r in wh.con.execute("SELECT school_name FROM raw.schools").fetchall()]
    assert names == [r["school_name"] for r in rows]  # «Ёлкина», not «РЃР»РєРёРЅР°»
    assert wh.check("schools")[1].passed


def test_utf8_with_a_few_damaged_bytes_is_refused(wh: Warehouse) -> None:
    """Decided: refused, naming the row. Replacing the bytes (U+FFFD) could silently change an id
    or a name; reading the file as Windows-1251 would garble every other Cyrillic letter."""
    text = wh.write("schools", good_rows("schools")).read_bytes()
    lines = text.split(b"\n")
    lines[3] = lines[3].replace("Ёлкина".encode(), b"\xff\xfe\xc1\xea\xe8\xed\xe0", 1)
    path = wh.path("schools", "schools.csv")
    path.write_bytes(b"\n".join(lines))
    message = refused(wh, "schools", path)
    assert "row 4: bytes that are not valid UTF-8" in message
    assert "otherwise UTF-8" in message and "rule: a .csv file is UTF-8 or Windows-1251" in message


def test_utf8_that_was_once_read_as_1251_is_refused(wh: Warehouse) -> None:
    good = wh.write("schools", good_rows("schools")).read_text(encoding="utf-8")
    lines = good.split("\n")
    lines[2] = lines[2].encode("utf-8").decode("cp1251", errors="replace")  # double encoded
    path = wh.path("schools", "schools.csv")
    path.write_text("\n".join(lines), encoding="utf-8")
    message = refused(wh, "schools", path)
    assert "row 3: «РњР‘РћРЈ" in message and "garbled text" in message


def test_mixed_delimiters(wh: Warehouse) -> None:
    lines = wh.write("vpr_results", good_rows("vpr_results")).read_text().splitlines()
    for n in (1, 2, 3):  # header and the first two data rows with ';', the rest with ','
        lines[n - 1] = lines[n - 1].replace(",", ";")
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(wh, "vpr_results", path)
    assert "row 4: its cells are separated by ',' while the header uses ';'" in message
    assert "(mixed delimiters); rule: one delimiter throughout the file" in message


def test_row_with_a_missing_cell(wh: Warehouse) -> None:
    lines = wh.write("vpr_results", good_rows("vpr_results")).read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0]  # row 6 lost its last cell: values would shift
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(wh, "vpr_results", path)
    assert "row 6: 7 cell(s) where the header has 8" in message
    assert "rule: every row has the header's number of cells" in message


# --- structure of the columns: table-level rules, they always block ---------------------------


def test_missing_required_column_blocks_even_under_allow(wh: Warehouse) -> None:
    rows = [{k: v for k, v in r.items() if k != "mark_5"} for r in good_rows("vpr_results")]
    lines = wh.write("vpr_results", rows).read_text().splitlines()
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    wh.land("vpr_results", path)
    outcome, verdict = wh.check("vpr_results", policy=QuarantinePolicy.ALLOW)
    assert not verdict.passed
    assert (
        f"{path}: rule «the file has every required column: school_id, grade, subject, "
        "participants, mark_2, mark_3, mark_4, mark_5 (missing: mark_5)» is broken."
    ) in verdict.description
    assert outcome.table_failures and wh.quarantine("vpr_results") == []


def test_column_renamed_to_something_unknown(wh: Warehouse) -> None:
    path = wh.write("vpr_results", good_rows("vpr_results"), fmt=LandingFormat.CSV_CP1251_RU)
    text = path.read_bytes().decode("cp1251").replace(";участников;", ";Кол-во участников;", 1)
    path.write_bytes(text.encode("cp1251"))
    wh.land("vpr_results", path)
    _, verdict = wh.check("vpr_results", policy=QuarantinePolicy.ALLOW)
    assert not verdict.passed
    assert (
        "(missing: participants); the file has unknown columns «Кол-во участников» — renamed?» "
        "is broken."
    ) in verdict.description


def test_extra_columns_are_kept_in_raw_and_load_cleanly(wh: Warehouse) -> None:
    rows = good_rows("social_passport")
    for row in rows:
        row["Примечание"] = "сверено"
    path = wh.write("social_passport", rows, extra_columns=("Примечание",))
    report = wh.land("social_passport", path)
    assert list(report.profile.extra_columns) == ["Примечание"]
    assert wh.check("social_passport")[1].passed
    extras = wh.con.execute("SELECT DISTINCT _extra_columns FROM raw.social_passport").fetchall()
    assert extras == [('{"Примечание": "сверено"}',)]


# --- row-level rules: the rows go to quarantine; under the default policy the year is blocked --


def test_duplicate_keys_quarantine_both_rows(wh: Warehouse) -> None:
    rows = good_rows("vpr_results")
    rows.append(dict(rows[1]))
    path, _, verdict = wh.land_and_check("vpr_results", rows)
    assert not verdict.passed
    last = file_row(len(rows) - 1)
    assert (
        f"{path}: rule «one row per school_id × grade × subject» is broken in 2 rows: "
        f"3 (school_id=S1, grade=5, subject=rus), {last} (school_id=S1, grade=5, subject=rus)."
    ) in verdict.description
    assert [q[0] for q in wh.quarantine("vpr_results")] == [3, last]
    assert "(2 row(s) listed in quarantine.rejected_rows)" in verdict.description


def test_negative_count(wh: Warehouse) -> None:
    path, _, verdict = wh.land_and_check(
        "vpr_results", rows_with("vpr_results", {4: {"mark_2": -3}})
    )
    assert not verdict.passed
    assert (
        f"{path}: rule «mark_2 is a whole number ≥ 0 (a count, not a percentage or a fraction)» "
        "is broken in row 6 (mark_2=-3)."
    ) in verdict.description
    [(row, _, values, source)] = [q for q in wh.quarantine("vpr_results") if "whole" in q[1]]
    assert (row, values) == (6, "mark_2=-3")
    assert json.loads(source)["mark_2"] == "-3" and json.loads(source)["school_id"] == "S2"


def test_counts_above_participants_and_above_students_total(wh: Warehouse) -> None:
    vpr = rows_with("vpr_results", {0: {"mark_2": 25, "mark_3": 0, "mark_4": 0, "mark_5": 0}})
    path, _, verdict = wh.land_and_check("vpr_results", vpr)
    assert (
        f"{path}: rule «mark_2 is not more than participants» is broken in row 2 "
        "(participants=24, mark_2=25)."
    ) in verdict.description
    passport = rows_with("social_passport", {2: {"low_income": 900}})
    path, _, verdict = wh.land_and_check("social_passport", passport)
    assert (
        f"{path}: rule «low_income is not more than students_total» is broken in row 4 "
        "(students_total=303, low_income=900)."
    ) in verdict.description
    assert not verdict.passed


def test_marks_not_adding_up_to_participants(wh: Warehouse) -> None:
    path, _, verdict = wh.land_and_check(
        "vpr_results", rows_with("vpr_results", {7: {"mark_4": 9}})
    )
    assert not verdict.passed
    assert (
        f"{path}: rule «mark_2 + mark_3 + mark_4 + mark_5 = participants» is broken in row 9 "
        "(mark_total=25, participants=24)."
    ) in verdict.description


def test_vpr_row_with_no_participants_is_a_warning_and_loads(wh: Warehouse) -> None:
    """Decided: a warning, not a refusal. A class that wrote no VPR is a fact; the row loads and
    dbt counts it as small_n (too few participants to judge), so it never lists the school."""
    zero = {"participants": 0, "mark_2": 0, "mark_3": 0, "mark_4": 0, "mark_5": 0}
    path, outcome, verdict = wh.land_and_check("vpr_results", rows_with("vpr_results", {4: zero}))
    assert verdict.passed and verdict.warn_only and verdict.quarantined_rows == 0
    assert outcome.success and outcome.failures == []
    assert (
        f"{path}: rule «participants is more than 0 (a row with 0 participants is loaded as "
        "small_n: too few to judge)» is not met in row 6 (participants=0); warning only: the row "
        "is loaded."
    ) in verdict.description
    assert len(wh.raw_rows("vpr_results")) == 24 and wh.quarantine("vpr_results") == []
    # Under "allow" with a bad row besides, the warning is still said and only the bad row is held.
    rows = rows_with("vpr_results", {4: zero, 7: {"mark_4": 9}})
    _, outcome, verdict = wh.land_and_check("vpr_results", rows, policy=QuarantinePolicy.ALLOW)
    assert verdict.passed and verdict.warn_only and "row 6 (participants=0)" in verdict.description
    assert [q[0] for q in wh.quarantine("vpr_results")] == [9]


def test_title_rows_above_the_header_keep_real_row_numbers(wh: Warehouse) -> None:
    """An official export: title, blank row, header in row 3; a bad cell in row 6 is said so."""
    rows = rows_with("vpr_results", {2: {"mark_4": 9}})
    lines = wh.write("vpr_results", rows, fmt=LandingFormat.CSV_CP1251_RU).read_bytes()
    path = wh.path("vpr_results", "vpr_results.csv")
    path.write_bytes("Результаты ВПР 2024 года;;;;;;;\r\n\r\n".encode("cp1251") + lines)
    report = wh.land("vpr_results", path)
    assert report.profile.header_row == 3 and wh.landed("vpr_results")["header_row"] == 3
    _, verdict = wh.check("vpr_results")
    assert (
        f"{path}: rule «mark_2 + mark_3 + mark_4 + mark_5 = participants» is broken in row 6 "
        "(mark_total=25, participants=24)."
    ) in verdict.description


def test_percentages_instead_of_counts(wh: Warehouse) -> None:
    rows = rows_with(
        "vpr_results",
        {0: {"mark_2": "35.5", "mark_3": "64.5"}, 1: {"mark_2": "35,5%"}},
    )
    path, _, verdict = wh.land_and_check("vpr_results", rows)
    assert (
        f"{path}: rule «mark_2 is a whole number ≥ 0 (a count, not a percentage or a fraction)» "
        "is broken in 2 rows: 2 (mark_2=35.5), 3 (mark_2=35,5%)."
    ) in verdict.description
    assert "rule «mark_3 is a whole number ≥ 0" in verdict.description


def test_grade_and_subject_out_of_range(wh: Warehouse) -> None:
    rows = rows_with("vpr_results", {0: {"grade": 9}, 1: {"subject": "физика"}})
    path, _, verdict = wh.land_and_check("vpr_results", rows)
    assert f"{path}: rule «grade is 4, 5, 6, 7 or 8» is broken in row 2 (grade=9)." in (
        verdict.description
    )
    assert f"{path}: rule «subject is math or rus» is broken in row 3 (subject=физика)." in (
        verdict.description
    )
    gia = rows_with("gia_results", {0: {"subject": "math_profile"}})
    path, _, verdict = wh.land_and_check("gia_results", gia)
    assert f"{path}: rule «OGE subjects are math and rus» is broken in row 2" in (
        verdict.description
    )


def test_unknown_school_id(wh: Warehouse) -> None:
    rows = rows_with("gia_results", {3: {"school_id": "NO_SUCH"}})
    path, _, verdict = wh.land_and_check("gia_results", rows)
    assert (
        f"{path}: rule «school_id is a school of this year's registry» is broken in row 5 "
        "(school_id=NO_SUCH)."
    ) in verdict.description


def test_results_under_a_school_merged_in_an_earlier_year_name_the_successor(
    wh: Warehouse,
) -> None:
    # 2022: S6 merged into S5; 2023: S5 merged into S1; 2024's registry has neither.
    for year, merged, successor in ((2022, "S6", "S5"), (2023, "S5", "S1")):
        registry = good_rows("schools", year)
        next(r for r in registry if r["school_id"] == merged)["successor_id"] = successor
        wh.land("schools", wh.write("schools", registry, year), year)
    current = [r for r in good_rows("schools") if r["school_id"] not in ("S5", "S6")]
    wh.land("schools", wh.write("schools", current))
    path, _, verdict = wh.land_and_check("vpr_results", good_rows("vpr_results"))
    assert not verdict.passed
    assert (
        f"{path}: rule «school_id is not a school that an earlier year's registry marked as "
        "merged into a successor (its results belong under the successor)» is broken in 8 rows: "
        "18 (school_id=S5 (merged into S1 by the 2023 registry))"
    ) in verdict.description
    assert "22 (school_id=S6 (merged into S5 by the 2022 registry, now part of S1))" in (
        verdict.description
    )
    assert "is a school of this year's registry" not in verdict.description  # said once


def test_participant_id_that_looks_like_a_name_is_never_shown(wh: Warehouse) -> None:
    rows = rows_with(
        "gia_results", {2: {"participant_id": "Иванов Иван Иванович", "school_id": "NO_SUCH"}}
    )
    path, _, verdict = wh.land_and_check("gia_results", rows)
    assert (
        f"{path}: rule «participant_id is a pseudonymous code, not a person's name (the value is "
        "not shown)» is broken in row 4 (participant_id=<hidden>)."
    ) in verdict.description
    assert "Иванов" not in verdict.description
    quarantined = wh.quarantine("gia_results")
    assert {q[0] for q in quarantined} == {4} and len(quarantined) == 2  # name + unknown school
    assert all("Иванов" not in (q[2] + q[3]) for q in quarantined)
    assert json.loads(quarantined[0][3])["participant_id"] == "<hidden>"


# --- files in the wrong place or delivered again ----------------------------------------------


def test_another_years_file_in_the_year_folder(wh: Warehouse) -> None:
    """Rule: a results file with rows that is byte-for-byte the file landed for another year."""
    file_2023 = wh.write("vpr_results", good_rows("vpr_results", 2023), 2023)
    wh.land("schools", wh.write("schools", good_rows("schools", 2023), 2023), 2023)
    wh.land("vpr_results", file_2023, 2023)
    misplaced = wh.path("vpr_results", "vpr_results.csv")
    shutil.copy(file_2023, misplaced)
    message = refused(wh, "vpr_results", misplaced)
    assert f"byte-for-byte the same file as the vpr_results landed for 2023 ({file_2023})" in (
        message
    )
    assert "rule: a year's folder holds that year's data" in message


def test_a_year_column_naming_another_year(wh: Warehouse) -> None:
    rows = good_rows("social_passport")
    for row in rows:
        row["Учебный год"] = "2022/23"
    path = wh.write("social_passport", rows, extra_columns=("Учебный год",))
    message = refused(wh, "social_passport", path)
    assert "row 2 and 5 more: column «Учебный год» says 2022/23 (results year 2023)" in message
    assert "in the folder of 2024; rule: a year's folder holds that year's data" in message
    assert [stated_results_year(v) for v in ("2024", "2023/24", "2023-2024", "2024.0", "n/a")] == [
        2024,
        2024,
        2024,
        2024,
        None,
    ]


def test_an_unchanged_registry_in_two_years_is_not_a_false_alarm(wh: Warehouse) -> None:
    same = wh.path("schools", "schools.csv", 2023)
    shutil.copy(wh.landed("schools")["source_file"], same)
    assert wh.land("schools", same, 2023).rows == len(SCHOOL_IDS)


def test_partly_replaced_year(wh: Warehouse) -> None:
    """ "Partly replaced": some of a year's four files changed since they were landed. Unchanged
    files are not reloaded, every check of the year runs again on what is landed now, so results
    are checked against a changed registry, and the year refreshes only when all four pass."""
    vpr_landed = Path(wh.landed("vpr_results")["source_file"])
    # 1. VPR corrected, registry not: the registry is skipped, the new VPR checked against it.
    corrected = wh.write("vpr_results", rows_with("vpr_results", {0: {"mark_5": 3, "mark_4": 9}}))
    assert wh.land("schools", Path(wh.landed("schools")["source_file"])).unchanged
    assert not wh.land("vpr_results", corrected).unchanged
    assert wh.check("vpr_results")[1].passed
    # 2. Registry replaced without S6, VPR (the corrected one) unchanged: VPR is not reloaded but
    # fails its check again, now against the new registry.
    registry = wh.write("schools", good_rows("schools", schools=SCHOOL_IDS[:5]))
    wh.land("schools", registry)
    assert wh.land("vpr_results", corrected).unchanged
    _, verdict = wh.check("vpr_results")
    assert not verdict.passed
    assert "rule «school_id is a school of this year's registry» is broken in 4 rows: 22 " in (
        verdict.description
    )
    assert vpr_landed != corrected


def test_a_partial_file_does_not_replace_the_whole_year(
    wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A landing file replaces the year's rows of its kind in full: a "correction" holding only
    some schools would silently drop the others from every list."""
    partial = wh.write("vpr_results", good_rows("vpr_results", schools=("S2", "S3")))
    message = refused(wh, "vpr_results", partial)
    assert "covers 2 school(s) where the vpr_results it would replace" in message
    assert "covers 6; a landing file replaces the year's vpr_results in full" in message
    assert f"(set {ALLOW_SHRINK_ENV}=1 for one run if the drop is real)" in message
    monkeypatch.setenv(ALLOW_SHRINK_ENV, "1")
    assert wh.land("vpr_results", partial).rows == 8


def test_the_same_file_delivered_twice_changes_nothing(wh: Warehouse) -> None:
    path = Path(wh.landed("gia_results")["source_file"])
    raw_before = wh.con.execute("SELECT * FROM raw.gia_results ORDER BY ALL").fetchall()
    landed_before = wh.landed("gia_results")
    report = wh.land("gia_results", path)  # delivered again, same bytes
    assert report.unchanged and report.rows == len(good_rows("gia_results"))
    assert any("same content as landed at" in n and "not reloaded" in n for n in report.notes)
    assert wh.con.execute("SELECT * FROM raw.gia_results ORDER BY ALL").fetchall() == raw_before
    landed_after = wh.landed("gia_results")
    assert landed_after["loaded_at"] == landed_before["loaded_at"]
    assert landed_after["last_seen_at"] > landed_before["last_seen_at"]
    # The same bytes from another place (landing zone moved): not reloaded, lineage follows.
    moved = wh.path("gia_results", "gia_results.csv")
    shutil.copy(path, moved)
    assert wh.land("gia_results", moved).unchanged
    assert wh.con.execute("SELECT DISTINCT _source_file FROM raw.gia_results").fetchall() == [
        (str(moved),)
    ]
    # The archive: the first delivery adds the content and a receipt, the others nothing.
    archive = wh.root / "archive"
    first, *again = (archive_file(p, YEAR, "gia_results", archive) for p in (path, path, moved))
    assert (first.new_content, first.new_receipt) == (True, True)
    assert [(a.new_content, a.new_receipt) for a in again] == [(False, False)] * 2
    assert len(read_manifest(archive)) == 1 and len(list(archive.glob("*/*.csv"))) == 1


# --- quarantine policy ------------------------------------------------------------------------


def test_allow_policy_lets_the_year_refresh_without_the_bad_rows(wh: Warehouse) -> None:
    rows = rows_with("vpr_results", {5: {"mark_3": -1}})
    path, outcome, verdict = wh.land_and_check("vpr_results", rows, policy=QuarantinePolicy.ALLOW)
    assert verdict.passed and verdict.warn_only and verdict.quarantined_rows == 1
    assert verdict.description.startswith(
        f"{path}: 1 of 24 rows quarantined and left out of the marts (NRO_QUARANTINE_POLICY=allow"
    )
    assert "is broken in row 7 (mark_3=-1)" in verdict.description
    assert {q[0] for q in wh.quarantine("vpr_results")} == {7} == outcome.rejected_rows


def test_allow_policy_still_blocks_a_bad_registry_and_a_mostly_bad_file(wh: Warehouse) -> None:
    registry = rows_with("schools", {1: {"locality_type": "хутор"}})
    _, _, verdict = wh.land_and_check("schools", registry, policy=QuarantinePolicy.ALLOW)
    assert not verdict.passed
    assert "the registry of schools is never loaded in part" in verdict.description
    assert [q[0] for q in wh.quarantine("schools")] == [3]
    wh.land_and_check("schools", good_rows("schools"))
    percent = [{**r, "mark_2": "10.0%"} for r in good_rows("vpr_results")]
    _, _, verdict = wh.land_and_check(
        "vpr_results", percent, policy=QuarantinePolicy.ALLOW, allowed_share=0.05
    )
    assert not verdict.passed
    assert "100% of the file's 24 rows, more than NRO_QUARANTINE_MAX_SHARE=0.05 allows" in (
        verdict.description
    )


def test_quarantine_is_replaced_when_a_corrected_file_lands(wh: Warehouse) -> None:
    wh.land_and_check("vpr_results", rows_with("vpr_results", {0: {"grade": 11}}))
    assert len(wh.quarantine("vpr_results")) == 1
    wh.land_and_check("vpr_results", rows_with("vpr_results", {0: {"mark_5": 3, "mark_4": 9}}))
    assert wh.quarantine("vpr_results") == []


def test_an_unknown_policy_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POLICY_ENV, "maybe")
    with pytest.raises(QuarantineConfigError, match="NRO_QUARANTINE_POLICY='maybe' is not a"):
        quarantine_policy()
    monkeypatch.delenv(POLICY_ENV)
    assert quarantine_policy() is QuarantinePolicy.BLOCK


# --- archive ----------------------------------------------------------------------------------


def test_archive_rebuilds_the_landing_zone_as_it_was(wh: Warehouse) -> None:
    archive, t0 = wh.root / "archive", datetime(2024, 9, 1, 6, 0)
    v1 = wh.write("vpr_results", good_rows("vpr_results"), folder="v1")
    v2 = wh.write("vpr_results", rows_with("vpr_results", {0: {"mark_5": 3, "mark_4": 9}}))
    xlsx = wh.write("schools", good_rows("schools"), folder="v1", fmt=LandingFormat.XLSX)
    archive_file(xlsx, YEAR, "schools", archive, received_at=t0)
    archive_file(v1, YEAR, "vpr_results", archive, received_at=t0)
    archive_file(v2, YEAR, "vpr_results", archive, received_at=t0 + timedelta(days=1))
    back = archive_file(v1, YEAR, "vpr_results", archive, received_at=t0 + timedelta(days=2))
    assert back.new_receipt and not back.new_content  # A → B → A is recorded, stored once
    entry = read_manifest(archive)[0]
    assert (entry.year, entry.kind, entry.file_format, entry.size_bytes) == (
        YEAR,
        "schools",
        "xlsx",
        xlsx.stat().st_size,
    )
    assert entry.archived_path == f"{entry.sha256[:2]}/{entry.sha256}.xlsx"
    assert json.loads((archive / entry.archived_path).with_suffix(".json").read_text())[
        "first_original_path"
    ] == str(xlsx)

    as_of_day_2 = restore_landing(archive, wh.root / "rebuilt", t0 + timedelta(days=1, hours=1))
    assert sorted(p.relative_to(wh.root / "rebuilt").as_posix() for p in as_of_day_2) == [
        "2024/schools.xlsx",
        "2024/vpr_results.csv",
    ]
    assert (wh.root / "rebuilt/2024/vpr_results.csv").read_bytes() == v2.read_bytes()
    restore_landing(archive, wh.root / "rebuilt")
    assert (wh.root / "rebuilt/2024/vpr_results.csv").read_bytes() == v1.read_bytes()


# --- through the real `nro run` on a copy of the session region -------------------------------

MARTS_2024 = "SELECT * FROM marts.mart_low_results WHERE year = 2024 ORDER BY ALL"
FACTS_2024 = "SELECT * FROM marts.fct_procedure_results WHERE year = 2024 ORDER BY ALL"
MERGED, SUCCESSOR = "sch350039", "sch350030"  # the generated region's merger (registry of 2022)


def _append_rows(path: Path, lines: list[str]) -> int:
    """Append CSV lines; return the file row number of the first one."""
    text = path.read_text(encoding="utf-8")
    first = len(text.splitlines()) + 1
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return first


def test_nro_run_blocks_the_year_and_keeps_its_marts(region_copy: tuple[Path, Path]) -> None:
    """Bad rows in two files and an unreadable third: one run says all of it, in plain words."""
    landing, warehouse = region_copy
    marts, facts = query(warehouse, MARTS_2024), query(warehouse, FACTS_2024)
    raw_passport = "SELECT * FROM raw.social_passport WHERE year = 2024 ORDER BY _row_number"
    passport_before = query(warehouse, raw_passport)
    vpr_row = _append_rows(landing / "2024/vpr_results.csv", ["T_C1,5,math,10,3,3,4,0"])
    gia_row = _append_rows(
        landing / "2024/gia_results.csv", [f"PX-1,{MERGED},OGE,math,20,4,main,current"]
    )
    (landing / "2024/social_passport.csv").unlink()
    broken = landing / "2024/social_passport.xlsx"
    with zipfile.ZipFile(broken, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
    broken.write_bytes(broken.read_bytes()[:-30])  # cut short in transfer
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)

    assert result.returncode == 1 and "Traceback" not in result.output
    assert "2024: NOT refreshed" in result.output
    assert (
        "vpr_results.csv: rule «one row per school_id × grade × subject» is broken in 2 rows"
        in (result.output)
    )
    assert f"{vpr_row} (school_id=T_C1, grade=5, subject=math)" in result.output
    assert (
        f"row {gia_row} (school_id={MERGED} (merged into {SUCCESSOR} by the 2022 registry))"
    ) in result.output
    assert f"{broken}: not a readable XLSX workbook" in result.output
    # The marts of 2024 stay; raw holds what arrived, except the file that could not be read.
    assert query(warehouse, MARTS_2024) == marts and query(warehouse, FACTS_2024) == facts
    assert query(warehouse, raw_passport) == passport_before
    rejected = query(
        warehouse,
        "SELECT kind, row_number FROM quarantine.rejected_rows WHERE year = 2024 ORDER BY ALL",
    )
    assert ("gia_results", gia_row) in rejected and ("vpr_results", vpr_row) in rejected
    # Every delivery is archived, the unreadable one too.
    archived = {(e.kind, e.file_format) for e in read_manifest(warehouse.parent / "archive")}
    assert ("social_passport", "xlsx") in archived and ("vpr_results", "csv") in archived


_STAGING = DBT_PROJECT_DIR / "models" / "staging" / "stg_vpr_results.sql"


def test_nro_run_allow_policy_refreshes_without_quarantined_rows(
    region_copy: tuple[Path, Path],
) -> None:
    if "not_quarantined" not in _STAGING.read_text(encoding="utf-8"):
        # Without it dbt's own tests stop the bad row (failed between 0 and participants), the
        # build fails and `nro run` publishes nothing: safe, but not what "allow" promises.
        pytest.skip("dbt staging does not leave quarantined rows out yet (macro not_quarantined)")
    landing, warehouse = region_copy
    loaded = "SELECT kind, loaded_at FROM raw.landed_files WHERE year = 2024 ORDER BY kind"
    before = dict(query(warehouse, loaded))
    vpr = landing / "2024/vpr_results.csv"
    lines = vpr.read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("T_C1,5,rus,"))
    lines[bad] = "T_C1,5,rus,10,-1,6,5,0"
    vpr.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = nro(
        "run",
        "--years",
        "2024",
        landing=landing,
        warehouse=warehouse,
        extra_env={"NRO_QUARANTINE_POLICY": "allow"},
    )

    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    after = dict(query(warehouse, loaded))
    assert after["vpr_results"] > before["vpr_results"]  # the changed file was reloaded …
    assert {k: v for k, v in after.items() if k != "vpr_results"} == {
        k: v for k, v in before.items() if k != "vpr_results"
    }  # … the three unchanged ones were not
    assert query(
        warehouse,
        "SELECT row_number, offending_values FROM quarantine.rejected_rows "
        "WHERE year = 2024 AND kind = 'vpr_results'",
    ) == [(bad + 1, "mark_2=-1")]
    assert "1 of " in result.output and "rows quarantined and left out of the marts" in (
        result.output
    )
    assert (
        query(
            warehouse,
            "SELECT * FROM marts.fct_procedure_results "
            "WHERE year = 2024 AND school_id = 'T_C1' AND procedure_id = 'VPR_rus_5'",
        )
        == []
    )


def test_nro_run_builds_a_year_whose_social_passport_is_late(
    region_copy: tuple[Path, Path],
) -> None:
    """Passports often arrive weeks after the results: the year gets everything that does not
    need one and says what waits; a run after the passport lands completes the year."""
    landing, warehouse = region_copy
    by_year = {
        table: f"SELECT * FROM marts.{table} WHERE year = ? ORDER BY ALL"
        for table in ("mart_low_results", "mart_persistence", "mart_isbsh", "mart_partner_matches")
    }
    by_year["mart_school_clusters"] = (
        "SELECT * EXCLUDE (status_note) FROM marts.mart_school_clusters WHERE year = ? ORDER BY ALL"
    )
    before = {
        (t, y): query(warehouse, sql, [y]) for t, sql in by_year.items() for y in (2023, 2024)
    }
    passport = landing / "2024" / "social_passport.csv"
    kept = passport.with_name("later.csv.part")
    passport.rename(kept)
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)

    assert result.returncode == 0, result.output
    assert "[2024] warning: " in result.output and "Traceback" not in result.output
    assert "социальный паспорт ОО за 2024 ещё не поступил" in result.output
    assert "2024: refreshed" in result.output
    # The list and persistence do not need the passport: exactly as before; other years untouched.
    for table in ("mart_low_results", "mart_persistence"):
        assert query(warehouse, by_year[table], [2024]) == before[table, 2024]
    for table, sql in by_year.items():
        assert query(warehouse, sql, [2023]) == before[table, 2023]
    assert query(warehouse, by_year["mart_isbsh"], [2024]) == []
    assert query(warehouse, "SELECT count(*) FROM raw.social_passport WHERE year = 2024") == [(0,)]
    listed = len(before["mart_partner_matches", 2024])
    assert query(
        warehouse,
        "SELECT reason, count(*), count(partner_id) FROM marts.mart_partner_matches "
        "WHERE year = 2024 GROUP BY reason",
    ) == [("нет ИСБШ: социальный паспорт за 2024 ещё не поступил", listed, 0)]
    assert query(
        warehouse,
        "SELECT DISTINCT status_note, social_status FROM marts.mart_school_clusters "
        "WHERE year = 2024",
    ) == [("социальный статус неизвестен: социальный паспорт за 2024 ещё не поступил", None)]

    kept.rename(passport)
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)
    assert result.returncode == 0, result.output
    assert "ещё не поступил" not in result.output
    for table, sql in by_year.items():
        assert query(warehouse, sql, [2024]) == before[table, 2024], table
