"""`nro register-template` round trip: the register written for the year, filled in as an
official would (the drop-down's Russian words, a date typed as a date), lands unchanged and passes
its checks (docs/methodology.md, «Решения региона»)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa

from nro_pipeline.cli import main
from nro_pipeline.lib.contract.file_kinds import SCHOOLS, SUPPORT_REGISTER
from nro_pipeline.lib.ingest.landing_reader import read_landing_file
from nro_pipeline.lib.ingest.raw_loader import load_file
from nro_pipeline.lib.sample.landing_writer import write_landing_file
from nro_pipeline.lib.validate.quarantine_policy import QuarantinePolicy
from nro_pipeline.lib.validate.validation import check_landed_year

YEAR = 2024
# school → (name, on the preliminary list, suggested partner)
SCHOOLS_OF_YEAR = {
    "A1": ("Школа А1", True, "P1"),
    "A2": ("Школа А2", True, None),
    "B1": ("Школа Б1", False, None),
    "P1": ("Школа-партнёр П1", False, None),
}


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.mart_low_results (school_id varchar, year integer, "
            "school_name varchar, municipality varchar, on_initial_list boolean)"
        )
        con.execute(
            "create table marts.mart_partner_matches "
            "(school_id varchar, year integer, rank integer, partner_id varchar)"
        )
        for school, (name, listed, partner) in SCHOOLS_OF_YEAR.items():
            con.execute(
                "insert into marts.mart_low_results values (?, ?, ?, 'Северогорск', ?)",
                [school, YEAR, name, listed],
            )
            if listed:
                con.execute(
                    "insert into marts.mart_partner_matches values (?, ?, 1, ?)",
                    [school, YEAR, partner],
                )
    return path


def test_the_filled_template_lands_unchanged(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "nro.duckdb")
    out = tmp_path / "register.xlsx"
    assert main(["register-template", "--year", str(YEAR), "--warehouse", str(warehouse),
                 "--out", str(out)]) == 0  # fmt: skip

    workbook = openpyxl.load_workbook(out)
    sheet = workbook.active
    header = [cell.value for cell in sheet[2]]
    assert header[:6] == ["код ОО", "наименование ОО", "муниципалитет", "решение", "обоснование",
                          "школа-партнёр"]  # fmt: skip
    listed = [(row[0], row[5]) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert listed == [("A1", "P1"), ("A2", None)]  # the preliminary list, suggested partners
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"подтвердить,включить,исключить"'
    assert str(validation.sqref).startswith("D3:")

    column = {name: i + 1 for i, name in enumerate(header)}
    filled = {
        3: ("подтвердить", "соглашение подписано", datetime(2024, 9, 1), "приказ № 1"),
        4: ("исключить", "школа реорганизуется", None, "приказ № 1"),
        5: ("включить", "заявка муниципалитета", None, None),
    }
    sheet.cell(5, column["код ОО"], "B1")
    for row, (decision, reason, signed, order) in filled.items():
        sheet.cell(row, column["решение"], decision)
        sheet.cell(row, column["обоснование"], reason)
        sheet.cell(row, column["дата соглашения"], signed)
        sheet.cell(row, column["основание"], order)
    landed = tmp_path / "landing" / str(YEAR) / "support_register.xlsx"
    landed.parent.mkdir(parents=True)
    workbook.save(landed)

    _, batches = read_landing_file(landed, SUPPORT_REGISTER)
    rows = pa.concat_tables(list(batches)).to_pylist()
    assert [
        (r["school_id"], r["decision"], r["reason"], r["partner_id"], r["agreement_date"])
        for r in rows
    ] == [
        ("A1", "confirm", "соглашение подписано", "P1", "2024-09-01"),
        ("A2", "exclude", "школа реорганизуется", None, None),
        ("B1", "include", "заявка муниципалитета", None, None),
    ]
    with duckdb.connect(str(tmp_path / "landed.duckdb")) as con:
        registry = [
            {"school_id": s, "school_name": n, "municipality": "Северогорск",
             "locality_type": "city", "levels": "NOO,OOO", "latitude": 60, "longitude": 43}
            for s, (n, _, _) in SCHOOLS_OF_YEAR.items()
        ]  # fmt: skip
        load_file(con, YEAR, SCHOOLS, write_landing_file(tmp_path / "schools", SCHOOLS, registry))
        load_file(con, YEAR, SUPPORT_REGISTER, landed)
        outcome, verdict = check_landed_year(
            con, YEAR, SUPPORT_REGISTER, QuarantinePolicy.BLOCK, 0.5
        )
    assert verdict.passed, outcome.message()
