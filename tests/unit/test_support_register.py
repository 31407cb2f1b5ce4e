"""The region's register (docs/methodology.md, «Решения региона»): read in every landing
format, and each refusal named with its file, row and rule — on small files, without a run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from nro_pipeline.lib.contract.file_kinds import SUPPORT_REGISTER
from nro_pipeline.lib.ingest.landing_reader import read_landing_file
from nro_pipeline.lib.ingest.raw_loader import not_yet_arrived
from nro_pipeline.lib.ingest.value_normaliser import iso_date
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from nro_pipeline.lib.validate.quarantine_policy import QuarantinePolicy
from nro_pipeline.lib.validate.validation import ValidationOutcome
from tests.support.landed_check import Rows, check_against_registry

YEAR = 2024
SCHOOLS = ("S1", "S2", "S3", "S4")


def good_register() -> Rows:
    return [
        {
            "school_id": "S1",
            "decision": "confirm",
            "reason": "решение рабочей группы",
            "partner_id": "S3",
            "agreement_date": "2024-09-01",
            "decided_by": "приказ № 123 от 01.09.2024",
        },
        {"school_id": "S2", "decision": "exclude", "reason": "школа реорганизуется"},
        {"school_id": "S4", "decision": "include", "reason": "заявка муниципалитета"},
    ]


def checked(tmp_path: Path, rows: Rows) -> tuple[ValidationOutcome, str]:
    outcome, verdict, path = check_against_registry(
        tmp_path, YEAR, SUPPORT_REGISTER.name, rows, SCHOOLS
    )
    assert verdict.passed == (not outcome.failures)
    return outcome, str(path)


def test_a_good_register_passes(tmp_path: Path) -> None:
    outcome, _ = checked(tmp_path, good_register())
    assert outcome.failures == [] and outcome.warnings == []


@pytest.mark.parametrize(
    ("change", "row", "rule"),
    [
        ({"school_id": "NOPE"}, 3, "school_id is a school of this year's registry"),
        (
            {"partner_id": "NOPE"},
            3,
            "partner_id (школа-партнёр) is a school of this year's registry",
        ),
        ({"reason": "   "}, 3, "reason (обоснование) is filled in every row"),
        ({"decision": "оставить"}, 3, "decision is one of confirm, include, exclude"),
        ({"school_id": "S1"}, 3, "one row per school"),
        ({"partner_id": "S2"}, 3, "partner_id is not the school itself"),
        ({"agreement_date": "31.02.2024"}, 3, "agreement_date (дата соглашения) is a date"),
        ({"agreement_date": "вчера"}, 3, "agreement_date (дата соглашения) is a date"),
    ],
)
def test_each_refusal_names_file_row_and_rule(
    tmp_path: Path, change: dict[str, object], row: int, rule: str
) -> None:
    rows = good_register()
    rows[1] = {**rows[1], **change}  # the second data row: line 3 of the file
    outcome, path = checked(tmp_path, rows)
    [failure] = outcome.failures
    assert failure.rule.startswith(rule)
    assert row in failure.rows
    message = outcome.message()
    assert path in message and rule in message


def test_a_bad_register_row_blocks_even_when_bad_rows_may_be_left_out(tmp_path: Path) -> None:
    """Under NRO_QUARANTINE_POLICY=allow a results file refreshes without its bad rows; a decision
    left out of the register would silently change the final list, so the register is refused
    (SPEC §3c) — one bad row of three is within the allowed share of 0.5 the helper sets."""
    rows = good_register()
    rows[1] = {**rows[1], "decision": "оставить"}
    outcome, verdict, _ = check_against_registry(
        tmp_path, YEAR, SUPPORT_REGISTER.name, rows, SCHOOLS, QuarantinePolicy.ALLOW
    )
    assert [f.rows for f in outcome.failures] == [[3]]
    assert not verdict.passed
    assert "register of decisions is never loaded in part" in verdict.description


def test_dates_read_in_the_forms_officials_write() -> None:
    assert iso_date("01.09.2024") == "2024-09-01"
    assert iso_date("1.9.2024 г.") == "2024-09-01"
    assert iso_date("2024-09-01") == "2024-09-01"
    assert iso_date("31.02.2024") is None and iso_date("2024-02-31") is None


@pytest.mark.parametrize("fmt", list(LandingFormat), ids=lambda f: f.value)
def test_every_format_reads_the_same_register(fmt: LandingFormat, tmp_path: Path) -> None:
    rows = good_register()
    rows[1]["agreement_date"] = "15.10.2024"  # a Russian date lands as ГГГГ-ММ-ДД
    path = write_landing_file(tmp_path / "support_register", SUPPORT_REGISTER, rows, fmt)
    _, batches = read_landing_file(path, SUPPORT_REGISTER)
    got = pa.concat_tables(list(batches)).to_pylist()
    assert [r["decision"] for r in got] == ["confirm", "exclude", "include"]
    assert [r["agreement_date"] for r in got] == ["2024-09-01", "2024-10-15", None]
    assert got[0]["decided_by"] == "приказ № 123 от 01.09.2024"


def test_a_year_without_a_register_is_a_note_not_a_warning(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "nro.duckdb")) as con:
        [note] = not_yet_arrived(con, YEAR, SUPPORT_REGISTER, tmp_path / "2024")
    assert "реестр решений региона за 2024 не поступил" in note
    assert "final list of 2024 is the preliminary one" in note
