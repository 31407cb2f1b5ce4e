"""Row rules validated on distinct values give the verdict, rows and values of a run on all rows.

Small GIA files whose expected failures are worked out by hand: which file rows break which
rule, with which values, and that cutting the frames into hash partitions changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.quarantine_table import HIDDEN
from nro_pipeline.lib.validate import validation
from nro_pipeline.lib.validate.gx_suite import expectation_columns, load_suite
from nro_pipeline.lib.validate.rule_groups import FrameKind, plan_groups
from nro_pipeline.lib.validate.validation import ValidationOutcome
from nro_pipeline.lib.validate.validation_frames import derived_columns
from tests.support.landed_check import check_against_registry

YEAR = 2024
SCHOOLS = ("S1", "S2", "S3")
NAME_LIKE = "Иванов Иван Иванович"


def gia_rows() -> list[dict[str, object]]:
    """12 good rows: 6 participants × OGE math and rus, two schools per participant pair."""
    return [
        {
            "participant_id": f"P{n // 2:04d}",
            "school_id": SCHOOLS[n % 3],
            "exam": "OGE",
            "subject": ("math", "rus")[n % 2],
            "score": 20,
            "mark": 4,
            "attempt": "main",
            "category": "current",
        }
        for n in range(12)
    ]


def checked(tmp_path: Path, rows: list[dict[str, object]]) -> ValidationOutcome:
    outcome, _, _ = check_against_registry(tmp_path, YEAR, "gia_results", rows, SCHOOLS)
    return outcome


def planted() -> list[dict[str, object]]:
    rows = gia_rows()
    for index in (1, 4, 7):  # the same offending tuple in three rows: file rows 3, 6, 9
        rows[index]["exam"] = "XYZ"
    # data rows 10 and 11 (file rows 12, 13): one name-like id, the same exam, subject, attempt
    rows[10].update(participant_id=NAME_LIKE, subject="math")
    rows[11].update(participant_id=NAME_LIKE, subject="math")
    return rows


def test_a_tuple_broken_once_is_reported_in_every_row_holding_it(tmp_path: Path) -> None:
    outcome = checked(tmp_path, planted())
    by_rule = {f.rule: f for f in outcome.failures}
    exam = by_rule["exam is one of OGE, EGE"]
    assert exam.rows == [3, 6, 9] and exam.unexpected_count == 3
    assert exam.values == {3: "exam=XYZ", 6: "exam=XYZ", 9: "exam=XYZ"}
    # the name-like id breaks the masked rule and uniqueness: its value never shows
    duplicate = by_rule["one row per participant_id × exam × subject × attempt"]
    assert duplicate.rows == [12, 13] and duplicate.unexpected_count == 2
    assert duplicate.values[12] == (
        f"participant_id={HIDDEN}, exam=OGE, subject=math, attempt=main"
    )
    assert outcome.hidden == {12: {"participant_id"}, 13: {"participant_id"}}
    assert NAME_LIKE not in outcome.message()
    assert sorted(outcome.rejected_rows) == [3, 6, 9, 12, 13]


def test_hash_partitions_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = checked(tmp_path / "whole", planted())
    monkeypatch.setattr(validation, "VALIDATION_BATCH_ROWS", 2)  # frames of about two rows
    parted = checked(tmp_path / "parted", planted())
    assert parted.failures == whole.failures and parted.hidden == whole.hidden
    assert parted.expectations_run == whole.expectations_run == 24


def test_gia_rules_are_grouped_by_the_distinct_values_they_read() -> None:
    """National distinct counts: the coded columns share one frame (3·5·5·3·3 = 675 tuples at
    most); score (102) and school_id (36,257) would push it over 50,000, so they get their own;
    participant_id is too many for anything; uniqueness needs every row."""
    kind = FILE_KINDS["gia_results"]
    suite = load_suite(kind.name)
    derived = derived_columns(kind, kind.column_names)
    counts = {"participant_id": 2_144_600, "school_id": 36_256, "score": 101}
    counts |= {"exam": 2, "subject": 4, "mark": 4, "attempt": 2, "category": 2}
    runnable = [
        e for e in suite["expectations"] if all(c in derived for c in expectation_columns(e))
    ]
    groups = plan_groups(runnable, derived, kind.column_names, counts, rows=4_350_686)
    assert [(g.frame, g.columns, len(g.expectations)) for g in groups] == [
        (FrameKind.DISTINCT, ("exam", "subject", "mark", "attempt", "category"), 14),
        (FrameKind.DISTINCT, ("score",), 3),
        (FrameKind.DISTINCT, ("school_id",), 3),
        (FrameKind.DISTINCT, ("participant_id",), 2),
        (FrameKind.EVERY_ROW, ("participant_id", "exam", "subject", "attempt"), 1),
        (FrameKind.HEADER, (), 1),
    ]
    assert sum(len(g.expectations) for g in groups) == len(suite["expectations"]) == 24
    # a file of 40,000 rows: every row-wise rule in one frame, whatever the columns
    small = plan_groups(runnable, derived, kind.column_names, counts, rows=40_000)
    assert [(g.frame, len(g.expectations)) for g in small] == [
        (FrameKind.DISTINCT, 22),
        (FrameKind.EVERY_ROW, 1),
        (FrameKind.HEADER, 1),
    ]
