"""The region's decisions on the planted region (docs/methodology.md, «Решения региона»).

The yearly workflow after `nro run`: `nro register-template`, decisions filled in as an official
would, the register put into the landing zone after the results — then `landing_zone_sensor`,
in a real Dagster instance, requests a run of the register and what is downstream of it (not the
year's landing), and that run applies the decisions. One run of one year for the whole file.

The planted final list of 2024 is T_C1 and T_C2 (confirmed) and T_SMALL (included); every other
school of the preliminary list is excluded. By hand (tests/support/planted_schools.py):
- participating_low_share: T_C1 VPR math 5 3/10, VPR rus 5 2/10, EGE rus 3/10; T_C2 VPR math 5
  4/10, VPR rus 5 1/10; T_SMALL only small-n results (4 participants) → 13 / 50 = 0.26;
- participating_gia_pass_share: T_C1 EGE rus 7 / 10 = 0.7 (the others have no OGE/EGE);
- participating_teachers_trained_share: 10 of 20 teachers in each passport → 30 / 60 = 0.5.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from nro_pipeline.defs.automation.schedules_and_sensors import year_files
from tests.support.run import REGION_YEARS, nro, query

YEAR = 2024
FINAL = {"T_C1", "T_C2", "T_SMALL"}


def _fill(template: Path, register: Path) -> None:
    """Decisions as an official enters them: drop-down words, a date cell, added rows."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    column = {cell.value: cell.column for cell in sheet[2]}
    last = 2
    for row in range(3, sheet.max_row + 1):
        school = sheet.cell(row, column["код ОО"]).value
        if school is None:
            continue
        last = row
        keep = school in FINAL
        sheet.cell(row, column["решение"], "подтвердить" if keep else "исключить")
        sheet.cell(row, column["обоснование"], "решение рабочей группы")
        sheet.cell(row, column["основание"], "приказ № 123 от 01.09.2024")
        if school == "T_C1":  # an agreed partner of a lower level of education than the school's
            sheet.cell(row, column["школа-партнёр"], "T_RETAKE")
            sheet.cell(row, column["дата соглашения"], datetime(2024, 9, 1))
    for offset, (school, decision) in enumerate(
        (("T_SMALL", "включить"), ("T_LEFT", "подтвердить")), start=1
    ):
        sheet.cell(last + offset, column["код ОО"], school)
        sheet.cell(last + offset, column["решение"], decision)
        sheet.cell(last + offset, column["обоснование"], "заявка муниципалитета")
    register.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(register)


@pytest.fixture(scope="module")
def decided(
    region_run: tuple[Path, object], planted_region: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict, list[tuple]]:
    import shutil

    warehouse_built, _ = region_run
    root = tmp_path_factory.mktemp("decisions")
    landing, warehouse = root / "landing", root / "nro.duckdb"
    shutil.copytree(planted_region, landing)
    shutil.copy(warehouse_built, warehouse)
    landed_before = query(
        warehouse, "SELECT kind, loaded_at FROM raw.landed_files WHERE year = 2024"
    )
    cursor = json.dumps({str(y): year_files(landing / str(y)) for y in REGION_YEARS})

    template = root / "template.xlsx"
    made = nro("register-template", "--year", str(YEAR), "--out", str(template),
               landing=landing, warehouse=warehouse)  # fmt: skip
    assert made.returncode == 0, made.output
    _fill(template, landing / str(YEAR) / "support_register.xlsx")

    env = {
        **os.environ,
        "NRO_LANDING_DIR": str(landing),
        "NRO_WAREHOUSE": str(warehouse),
        "NRO_ARCHIVE_DIR": str(root / "archive"),
        "NRO_PUBLISHED": str(root / "nro_published.duckdb"),
        "NRO_REPORTS_DIR": str(root / "reports"),
        "NRO_EXPORTS_DIR": str(root / "exports"),
        "NRO_DBT_TARGET_DIR": str(root / "dbt_target"),
        "NRO_GX_DOCS_DIR": str(root / "gx_docs"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.sensor_run", cursor],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return warehouse, json.loads(done.stdout.splitlines()[-1]), landed_before


def test_the_sensor_refreshes_the_decisions_not_the_landing(decided) -> None:
    warehouse, run, landed_before = decided
    [run_key] = run["run_keys"]
    assert run_key.startswith(f"register-{YEAR}-")
    assert run["problems"] == [] and run["status"].endswith("SUCCESS"), run
    assert "raw/support_register" in run["selected"] and "raw/schools" not in run["selected"]
    assert {"gx_support_register", "register_decisions_take_effect"} <= set(run["checks_run"])
    landed_after = dict(
        query(warehouse, "SELECT kind, loaded_at FROM raw.landed_files WHERE year = 2024")
    )
    assert all(landed_after[kind] == at for kind, at in landed_before)  # not landed again
    assert query(warehouse, "SELECT count(*) FROM raw.support_register WHERE year = 2024")[0][0]


def test_the_final_list_follows_the_register(decided) -> None:
    warehouse, run, _ = decided
    rows = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "SELECT school_id, on_initial_list, in_final_list, decision, partner_id, "
            "partner_source, partner_admissible, partner_note, agreement_date "
            "FROM marts.mart_support_list WHERE year = ?",
            [YEAR],
        )
    }
    assert {s for s, r in rows.items() if r[1]} == FINAL
    assert rows["T_SMALL"][:3] == (False, True, "include")
    t_c1 = rows["T_C1"]
    assert t_c1[3:5] == ("T_RETAKE", "agreed") and t_c1[5] is False
    assert "ООО при СОО у школы" in t_c1[6]
    assert str(t_c1[7]) == "2024-09-01"
    excluded = [s for s, r in rows.items() if r[0] and not r[1]]
    assert excluded and all(rows[s][2] == "exclude" for s in excluded)
    assert "T_LEFT" not in rows  # confirm of a school not on the list: no effect …
    warned = "\n".join(run["warnings"])  # … and the run says so, naming the file and the row
    assert (
        "support_register.xlsx: row " in warned and "school_id=T_LEFT, decision=confirm" in warned
    )


def test_indicators_of_the_participating_schools_by_hand(decided) -> None:
    warehouse, _, _ = decided
    [(count, low, gia, trained)] = query(
        warehouse,
        "SELECT final_list_schools, participating_low_share, participating_gia_pass_share, "
        "participating_teachers_trained_share FROM marts.mart_indicators WHERE year = ?",
        [YEAR],
    )
    assert count == 3
    assert low == pytest.approx(13 / 50)
    assert gia == pytest.approx(0.7)
    assert trained == pytest.approx(0.5)


def test_the_officials_see_the_final_list(decided) -> None:
    warehouse, _, _ = decided
    workbook = openpyxl.load_workbook(warehouse.parent / "exports" / f"nro_{YEAR}.xlsx")
    sheet = workbook["Итоговый список"]
    header = [c.value for c in sheet[3]]
    final = header.index("В итоговом списке")
    codes = {r[1] for r in sheet.iter_rows(min_row=4, values_only=True) if r[final] == "да"}
    assert codes == FINAL
    page = (warehouse.parent / "reports" / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert 'id="final-list"' in page and "Итоговый список на 2024 год" in page
    school = next((warehouse.parent / "reports" / "schools").glob("T_C1*.html"))
    text = school.read_text(encoding="utf-8")
    assert "В итоговом списке" in text and "Согласованный партнёр и методика" in text
    bi = query(
        warehouse, "SELECT decision_ru FROM bi.mart_support_list WHERE school_id = 'T_SMALL'"
    )
    assert bi == [("включить",)]
