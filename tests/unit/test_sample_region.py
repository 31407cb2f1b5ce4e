"""The synthetic region (`nro sample`) and the landing-file writer behind it.

Files are read back with the project's own landing reader, so these tests also prove that every
format the generator writes is one ingestion accepts.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from nro_pipeline.lib.contract.file_kinds import (
    CODED_VALUES,
    FILE_KINDS,
    GIA_RESULTS,
    PASSPORT_STUDENT_COUNTS,
    SCHOOLS,
    ColumnType,
    FileKind,
)
from nro_pipeline.lib.ingest.landing_reader import read_landing_file
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from nro_pipeline.lib.sample.region import RegionSummary, generate_region

MIXED = {"schools": 60, "years": (2023, 2024), "seed": 11}
PLANTED = {"schools": 150, "years": range(2019, 2025), "seed": 3}
LOW_SHARE, MIN_PARTICIPANTS = 0.30, 5
EGE_MIN_SCORE = {"rus": 24, "math_profile": 27}
STREAM_ROWS = 30_000
PARTICIPANT_ID = re.compile(r"^(P\d{4}-\d{6,}|[0-9a-f]{16})$")


def read(path: Path, kind: FileKind) -> pd.DataFrame:
    """A landing file as canonical columns, numbers typed."""
    _, batches = read_landing_file(path, kind)
    frame = pa.concat_tables(list(batches)).to_pandas()
    for column in kind.columns:
        if column.type is not ColumnType.TEXT:
            frame[column.name] = pd.to_numeric(frame[column.name])
    return frame


def year_frames(summary: RegionSummary, year: int) -> dict[str, pd.DataFrame]:
    return {f.kind: read(f.path, FILE_KINDS[f.kind]) for f in summary.files if f.year == year}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> RegionSummary:
    return generate_region(tmp_path_factory.mktemp("mixed"), **MIXED)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> RegionSummary:
    return generate_region(tmp_path_factory.mktemp("planted"), style="canonical", **PLANTED)


@pytest.fixture(scope="module")
def planted_frames(planted: RegionSummary) -> dict[int, dict[str, pd.DataFrame]]:
    return {year: year_frames(planted, year) for year in planted.years}


# --- determinism and formats ------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(mixed: RegionSummary, tmp_path: Path) -> None:
    again = generate_region(tmp_path / "again", **MIXED)
    assert [f.path.name for f in again.files] == [f.path.name for f in mixed.files]
    for first, second in zip(mixed.files, again.files, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.path
    other = generate_region(tmp_path / "other", **{**MIXED, "seed": MIXED["seed"] + 1})
    assert any(
        a.path.read_bytes() != b.path.read_bytes()
        for a, b in zip(mixed.files, other.files, strict=True)
    )


def test_mixed_style_varies_formats_and_encodings(mixed: RegionSummary) -> None:
    assert {f.format for f in mixed.files} == set(LandingFormat)
    contents = {f.format: f.path.read_bytes() for f in mixed.files}
    cp1251 = contents[LandingFormat.CSV_CP1251_RU]
    with pytest.raises(UnicodeDecodeError):
        cp1251.decode("utf-8")
    assert "код ОО" in cp1251.decode("cp1251").splitlines()[0]
    assert contents[LandingFormat.XLSX][:2] == b"PK"
    assert re.match(rb"[a-z_]+,school_id,|school_id,", contents[LandingFormat.CSV_UTF8])
    bom = contents[LandingFormat.CSV_UTF8_BOM_SEMICOLON]
    assert bom.startswith(b"\xef\xbb\xbf") and b"school_id;" in bom.splitlines()[0]
    assert "\t" in contents[LandingFormat.TSV_UTF8_RU].decode("utf-8").splitlines()[0]


def test_canonical_style_and_rerun_leave_one_file_per_kind(tmp_path: Path) -> None:
    generate_region(tmp_path, schools=20, years=[2024], seed=1)  # mixed: schools.xlsx … .csv
    summary = generate_region(tmp_path, schools=20, years=[2024], seed=1, style="canonical")
    assert {f.format for f in summary.files} == {LandingFormat.CSV_UTF8}
    assert sorted(p.name for p in (tmp_path / "2024").iterdir()) == sorted(
        f"{kind}.csv" for kind, spec in FILE_KINDS.items() if not spec.optional
    )
    with pytest.raises(ValueError, match="unknown style"):
        generate_region(tmp_path, schools=20, years=[2024], style="parquet")


def test_small_generation_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    generate_region(tmp_path, schools=60, years=[2023, 2024], seed=5)
    assert time.perf_counter() - started < 5.0


# --- every file is readable and internally consistent ----------------------------------------


def test_every_file_reads_and_is_consistent(mixed: RegionSummary) -> None:
    for year in mixed.years:
        frames = year_frames(mixed, year)
        for written in (f for f in mixed.files if f.year == year):
            assert len(frames[written.kind]) == written.rows > 0, written.path
        registry, vpr = frames["schools"], frames["vpr_results"]
        gia, passport = frames["gia_results"], frames["social_passport"]

        assert registry.school_id.is_unique
        assert set(registry.levels) <= {"NOO", "NOO,OOO", "NOO,OOO,SOO"}
        assert set(registry.locality_type) == {"city", "rural"}
        located = registry.dropna(subset=["latitude"])
        assert located.latitude.between(57.5, 62.5).all()
        assert located.longitude.between(34, 48).all()
        assert registry.latitude.isna().sum() == registry.longitude.isna().sum()
        known = set(registry.school_id)
        for frame in (vpr, gia, passport):
            assert set(frame.school_id) <= known

        marks = vpr[["mark_2", "mark_3", "mark_4", "mark_5"]]
        assert (marks.sum(axis=1) == vpr.participants).all()
        assert (marks >= 0).all().all() and (vpr.participants > 0).all()
        assert set(vpr.grade) == {4, 5, 6, 7, 8} and set(vpr.subject) == {"math", "rus"}
        assert not vpr.duplicated(["school_id", "grade", "subject"]).any()

        assert not gia.duplicated(list(GIA_RESULTS.key)).any()
        assert gia.participant_id.map(lambda p: bool(PARTICIPANT_ID.match(p))).all()
        graded = (gia.exam == "OGE") | (gia.subject == "math_base")
        assert gia.mark[graded].between(2, 5).all() and gia.mark[~graded].isna().all()
        assert set(gia.subject[gia.exam == "OGE"]) == {"math", "rus"}
        assert set(gia.subject[gia.exam == "EGE"]) == {"rus", "math_base", "math_profile"}
        assert gia.score.between(0, 100).all()

        assert passport.school_id.is_unique and set(passport.school_id) == known
        for column in PASSPORT_STUDENT_COUNTS:
            assert passport[column].between(0, passport.students_total).all(), column
        assert (passport.teacher_vacancies >= 0).all()
        assert passport.teachers_trained.between(0, passport.teachers_total).all()
        assert (passport.internet_mbps > 0).all() and (passport.computers > 0).all()


# --- realism: the planted cases and the methodology's rules on the output --------------------


def procedure_results(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """school × selection procedure: participants, failed, is_low (default parameters)."""
    vpr = frames["vpr_results"]
    vpr = vpr[vpr.grade.isin([5, 6])].assign(
        procedure=lambda f: "VPR_" + f.subject + "_" + f.grade.astype(str),
        failed=lambda f: f.mark_2,
    )
    gia = frames["gia_results"]
    gia = gia[(gia.attempt == "main") & (gia.category == "current")]
    failed = np.where(gia.mark.notna(), gia.mark == 2, gia.score < gia.subject.map(EGE_MIN_SCORE))
    gia = (
        gia.assign(failed=failed, procedure=gia.exam + "_" + gia.subject)
        .groupby(["school_id", "procedure"], as_index=False)
        .agg(participants=("failed", "size"), failed=("failed", "sum"))
    )
    result = pd.concat([vpr[["school_id", "procedure", "participants", "failed"]], gia])
    result["is_low"] = (result.participants >= MIN_PARTICIPANTS) & (
        result.failed >= LOW_SHARE * result.participants
    )
    return result


def criterion_1(frames: dict[str, pd.DataFrame]) -> set[str]:
    low = procedure_results(frames).groupby("school_id").is_low.sum()
    return set(low.index[low >= 2])


def test_always_low_and_recovering_schools(
    planted: RegionSummary, planted_frames: dict[int, dict[str, pd.DataFrame]]
) -> None:
    years = planted.years
    assert planted.always_low and planted.recovering
    listed = {year: criterion_1(planted_frames[year]) for year in years}
    for year in years:
        assert set(planted.always_low) <= listed[year], year
    assert set(planted.recovering) <= listed[years[0]]
    assert not set(planted.recovering) & listed[years[-1]]


def test_list_share_and_failure_rates_are_plausible(
    planted: RegionSummary, planted_frames: dict[int, dict[str, pd.DataFrame]]
) -> None:
    for year, frames in planted_frames.items():
        vpr = frames["vpr_results"]
        assert 0.05 <= vpr.mark_2.sum() / vpr.participants.sum() <= 0.15, year
        share = len(criterion_1(frames)) / len(frames["schools"])
        assert 0.03 <= share <= 0.16, (year, share)


def test_poorer_schools_fail_more_and_resilient_ones_do_not(
    planted: RegionSummary, planted_frames: dict[int, dict[str, pd.DataFrame]]
) -> None:
    frames = planted_frames[planted.years[-1]]
    passport = frames["social_passport"].set_index("school_id")
    educated = passport.parents_higher_edu / passport.students_total
    results = procedure_results(frames).groupby("school_id")[["failed", "participants"]].sum()
    fail_share = (results.failed / results.participants).reindex(educated.index)
    poorest = fail_share[educated <= educated.quantile(0.2)].mean()
    richest = fail_share[educated >= educated.quantile(0.8)].mean()
    assert poorest > 1.5 * richest

    assert planted.resilient
    resilient = list(planted.resilient)
    assert educated[resilient].median() < educated.median()
    assert fail_share[resilient].median() < fail_share.quantile(0.25)
    for year, year_frames_ in planted_frames.items():
        assert not set(resilient) & criterion_1(year_frames_), year


def test_small_rural_schools_have_small_procedures(
    planted: RegionSummary, planted_frames: dict[int, dict[str, pd.DataFrame]]
) -> None:
    assert planted.small_rural
    registry = planted_frames[planted.years[0]]["schools"].set_index("school_id")
    assert (registry.locality_type[list(planted.small_rural)] == "rural").all()
    small = set()
    for frames in planted_frames.values():
        vpr = frames["vpr_results"]
        small |= set(vpr.school_id[vpr.participants < MIN_PARTICIPANTS])
    assert set(planted.small_rural) <= small


def test_merger(planted: RegionSummary, planted_frames: dict[int, dict[str, pd.DataFrame]]) -> None:
    merger = planted.merger
    assert merger is not None and merger.year in planted.years[:-1]
    results_before = False
    for year, frames in planted_frames.items():
        registry = frames["schools"].set_index("school_id")
        assert merger.successor_id in registry.index
        present = {kind: merger.school_id in set(f.school_id) for kind, f in frames.items()}
        if year > merger.year:
            assert not any(present.values()), year
            continue
        # A small school may have no class sitting a given exam, but it is registered.
        assert present["schools"] and present["social_passport"], year
        results_before |= present["vpr_results"] or present["gia_results"]
        successor = registry.successor_id[merger.school_id]
        if year == merger.year:
            assert successor == merger.successor_id
        else:
            assert pd.isna(successor), year
    assert results_before
    assert registry.successor_id.isna().all()  # the last year: no merger pending

    def pupils(year: int, school: str) -> int:
        passport = planted_frames[year]["social_passport"].set_index("school_id")
        return int(passport.students_total[school])

    before, after = merger.year, merger.year + 1
    expected = pupils(before, merger.successor_id) + pupils(before, merger.school_id)
    assert pupils(after, merger.successor_id) == pytest.approx(expected, rel=0.35)


def test_retakes_and_past_graduates(planted_frames: dict[int, dict[str, pd.DataFrame]]) -> None:
    for year, frames in planted_frames.items():
        gia = frames["gia_results"]
        for exam in ("OGE", "EGE"):
            rows = gia[gia.exam == exam]
            assert (rows.attempt == "retake").any() and (rows.category == "past").any(), year
        retakes = gia[gia.attempt == "retake"]
        mains = gia[gia.attempt == "main"]
        retaken = retakes.merge(mains, on=["participant_id", "exam", "subject"], how="left")
        # A retake follows a failed main attempt of the same participant, exam and subject.
        assert (retaken.mark_y.eq(2) | (retaken.score_y < retaken.subject.map(EGE_MIN_SCORE))).all()
    hashed = {
        year: frames["gia_results"].participant_id.iloc[0]
        for year, frames in planted_frames.items()
    }
    assert any(p.startswith("P") for p in hashed.values())
    assert any(not p.startswith("P") for p in hashed.values())


# --- the writer ------------------------------------------------------------------------------


def test_russian_formats_write_russian_words_and_decimal_commas(tmp_path: Path) -> None:
    gia_row = {
        "participant_id": "P2024-000001",
        "school_id": "S1",
        "exam": "OGE",
        "subject": "math",
        "score": 5,
        "mark": 2,
        "attempt": "retake",
        "category": "past",
    }
    school_row = {
        "school_id": "S1",
        "school_name": "МБОУ «Ёлкинская основная общеобразовательная школа»",
        "municipality": "Ёлкинский муниципальный район",
        "locality_type": "rural",
        "levels": "NOO,OOO",
        "latitude": 59.5,
        "longitude": None,
    }
    gia = write_landing_file(tmp_path / "gia", GIA_RESULTS, [gia_row], LandingFormat.CSV_CP1251_RU)
    text = gia.read_bytes().decode("cp1251")
    assert (
        text.splitlines()[1] == "P2024-000001;S1;ОГЭ;математика;5;2;пересдача;выпускник прошлых лет"
    )
    schools = write_landing_file(
        tmp_path / "schools.xlsx", SCHOOLS, [school_row], LandingFormat.CSV_CP1251_RU
    )
    assert schools.name == "schools.csv"
    assert schools.read_bytes().decode("cp1251").splitlines()[1].endswith(";село;НОО,ООО;59,5;;")
    assert CODED_VALUES["category"]["past"][0] in text


def test_xlsx_cells_are_typed(tmp_path: Path) -> None:
    path = write_landing_file(
        tmp_path / "gia",
        GIA_RESULTS,
        [
            {
                "participant_id": "a&<b>",
                "school_id": " S1 ",
                "exam": "EGE",
                "subject": "rus",
                "score": 70,
            }
        ],
        LandingFormat.XLSX,
    )
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    assert header[:3] == ["код участника", "код ОО", "форма"]
    assert row == ["a&<b>", " S1 ", "ЕГЭ", "русский язык", 70, None, None, None]


@pytest.mark.parametrize("fmt", [LandingFormat.CSV_CP1251_RU, LandingFormat.XLSX])
def test_writer_streams_in_bounded_memory(fmt: LandingFormat, tmp_path: Path) -> None:
    def rows() -> Iterator[dict[str, object]]:
        for k in range(STREAM_ROWS):
            yield {
                "participant_id": f"P2024-{k:06d}",
                "school_id": f"sch{k // 100}",
                "exam": "OGE",
                "subject": "rus",
                "score": k % 34,
                "mark": 2 + k % 4,
                "attempt": "main",
                "category": "current",
            }

    tracemalloc.start()
    try:
        path = write_landing_file(tmp_path / "gia", GIA_RESULTS, rows(), fmt)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Holding the rows at once would take about 12 MB.
    assert peak < 5_000_000
    assert path.stat().st_size > 0
