"""A year whose social passport has not arrived: partners say why, the raw tables say nothing.

The partner model runs on the tiny warehouse of `test_social_python_models` (two mentees M1, M2
in 2024) with the 2024 ISBSh taken away, as when the passport is late.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS, SOCIAL_PASSPORT
from nro_pipeline.lib.ingest.raw_loader import is_landed, load_file, not_yet_arrived
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from tests.unit.test_social_python_models import (
    PARTNER_META,
    FakeDbt,
    partner_warehouse,
    partners_model,
)


def test_only_the_passport_and_the_register_may_arrive_later() -> None:
    assert [k.name for k in FILE_KINDS.values() if k.may_arrive_later] == [
        "social_passport",
        "support_register",  # optional: a year may never have one
    ]
    assert [k.name for k in FILE_KINDS.values() if k.optional] == ["support_register"]


def test_partner_reason_says_the_passport_has_not_arrived() -> None:
    con = partner_warehouse()
    con.execute("DELETE FROM mart_isbsh WHERE year = 2024")
    out = partners_model.model(FakeDbt(con, PARTNER_META), con)
    assert sorted(out["school_id"]) == ["M1", "M2"]
    assert out["partner_id"].isna().all()
    assert set(out["reason"]) == {"нет ИСБШ: социальный паспорт за 2024 ещё не поступил"}


def test_a_school_without_isbsh_in_a_year_with_passports_keeps_its_own_reason() -> None:
    con = partner_warehouse()
    con.execute("DELETE FROM mart_isbsh WHERE school_id = 'M1'")
    out = partners_model.model(FakeDbt(con, PARTNER_META), con)
    m1 = out[out["school_id"] == "M1"].iloc[0]
    assert pd.isna(m1["partner_id"])
    assert (
        m1["reason"] == "нет школы-партнёра: для школы не рассчитан ИСБШ (нет социального паспорта)"
    )
    assert out[out["school_id"] == "M2"].iloc[0]["partner_id"] == "P_SOO"


def _passport_rows(schools: tuple[str, ...]) -> list[dict]:
    counts = dict.fromkeys(SOCIAL_PASSPORT.column_names, 10)
    return [{**counts, "school_id": s, "students_total": 300} for s in schools]


def test_a_late_passport_withdraws_only_its_year(tmp_path: Path) -> None:
    con = duckdb.connect()
    for year in (2023, 2024):
        path = write_landing_file(
            tmp_path / str(year) / "social_passport",
            SOCIAL_PASSPORT,
            _passport_rows(("S1", "S2") if year == 2023 else ("S1", "S2", "S3")),
            LandingFormat.CSV_UTF8,
        )
        load_file(con, year, SOCIAL_PASSPORT, path)
    warnings = not_yet_arrived(con, 2024, SOCIAL_PASSPORT, tmp_path / "2024")
    assert len(warnings) == 1 and warnings[0].startswith(
        f"{tmp_path / '2024'}: социальный паспорт ОО за 2024 ещё не поступил"
    )
    assert "is no longer in the landing zone and was taken out of raw" in warnings[0]
    counts = con.execute(
        "SELECT year, count(*) FROM raw.social_passport GROUP BY year ORDER BY year"
    ).fetchall()
    assert counts == [(2023, 2)]
    assert not is_landed(con, 2024, SOCIAL_PASSPORT) and is_landed(con, 2023, SOCIAL_PASSPORT)
    # Never landed at all: only the "not yet arrived" sentence.
    [first] = not_yet_arrived(con, 2022, SOCIAL_PASSPORT, tmp_path / "2022")
    assert "taken out of raw" not in first and "за 2022 ещё не поступил" in first
