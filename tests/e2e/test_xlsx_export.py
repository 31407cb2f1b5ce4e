"""`nro export`: the workbook officials receive, opened with openpyxl and read cell by cell."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from nro_pipeline import settings
from nro_pipeline.defs.reports import xlsx_export_asset
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.reports.xlsx_export import (
    CLUSTER_RU,
    CLUSTER_SHEET,
    LIST_SHEET,
    NO_DATA,
    PARTNER_SHEET,
    RISK_SHEET,
    SHEETS,
    Column,
    default_output_path,
    russian_number,
)
from tests.support.run import RunResult, nro, query

YEAR = 2024
SHEET_TITLES = ["Список ШНОР", "Кластеры", "Школы-партнёры", "Профили рисков"]
LIST_HEADERS = [
    "Код ОО",
    "Наименование ОО",
    "Муниципалитет",
    "Процедур с низким результатом",
    "Критерий 1",
    "Критерий 2",
    "Причины включения в список",
]


@pytest.fixture(scope="module")
def exported(
    region_run: tuple[Path, RunResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, RunResult]:
    """The workbook made the way an official's analyst makes it: `nro export --year 2024`."""
    warehouse, run = region_run
    assert run.returncode == 0, run.output
    folder = tmp_path_factory.mktemp("export")
    out = folder / "nro_2024.xlsx"
    result = nro(
        "export", "--year", str(YEAR), "--out", str(out), landing=folder, warehouse=warehouse
    )
    return out, result


@pytest.fixture(scope="module")
def workbook(exported: tuple[Path, RunResult]) -> Workbook:
    out, result = exported
    assert result.returncode == 0, result.output
    assert out.is_file()
    return openpyxl.load_workbook(out)


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _row_of(sheet: Worksheet, school_id: str) -> list[object]:
    rows = [row for row in _rows(sheet) if row[0] == school_id]
    assert len(rows) == 1, f"{sheet.title}: {school_id} appears {len(rows)} times"
    return rows[0]


def _listed(warehouse: Path) -> int:
    [(count,)] = query(
        warehouse,
        "select count(*) from marts.mart_low_results where year = ? and on_initial_list",
        [YEAR],
    )
    return count


def test_cli_says_where_the_workbook_went(
    exported: tuple[Path, RunResult], region_run: tuple[Path, RunResult]
) -> None:
    out, result = exported
    assert result.returncode == 0, result.output
    assert str(out) in result.output
    assert f"Список ШНОР: {_listed(region_run[0])}" in result.output


def test_sheet_names_are_russian_and_in_order(workbook: Workbook) -> None:
    assert workbook.sheetnames == SHEET_TITLES
    assert [spec.title for spec in SHEETS] == SHEET_TITLES


def test_header_rows(workbook: Workbook) -> None:
    assert [c.value for c in workbook["Список ШНОР"][1]] == LIST_HEADERS
    for spec in SHEETS:
        sheet = workbook[spec.title]
        assert [c.value for c in sheet[1]] == [c.header for c in spec.columns]
        assert all(c.font.bold for c in sheet[1])
        # Beside every id, the school's name and municipality.
        assert [c.value for c in sheet[1]][:3] == ["Код ОО", "Наименование ОО", "Муниципалитет"]


def test_frozen_header_autofilter_and_widths(workbook: Workbook) -> None:
    for spec in SHEETS:
        sheet = workbook[spec.title]
        last = get_column_letter(len(spec.columns))
        assert sheet.freeze_panes == "C2"
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert sheet.print_title_rows == "$1:$1"
        for index, column in enumerate(spec.columns, start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert 8 <= width <= column.max_width + 2, (spec.title, column.header, width)
    # Names are wide enough to read; long reasons wrap instead of running off the screen.
    list_sheet = workbook["Список ШНОР"]
    assert list_sheet.column_dimensions["B"].width >= 20
    assert list_sheet.column_dimensions["G"].width <= 82


def test_criterion_1_school_with_its_reason(
    workbook: Workbook, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    [(reasons,)] = query(
        warehouse,
        "select reasons from marts.mart_low_results where school_id = 'T_C1' and year = ?",
        [YEAR],
    )
    row = _row_of(workbook["Список ШНОР"], "T_C1")
    assert row == ["T_C1", "Планшкола критерия 1", "Планмуниципалитет", 2, "да", "нет", reasons]
    assert reasons.startswith("критерий 1: низкие результаты по 2 процедурам")
    assert "ВПР математика 5 класс" in reasons and "ЕГЭ русский язык" in reasons


def test_criterion_2_school_and_only_listed_schools(
    workbook: Workbook, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    sheet = workbook["Список ШНОР"]
    assert _row_of(sheet, "T_C2")[3:6] == [1, "нет", "да"]
    listed = query(
        warehouse,
        "select school_id from marts.mart_low_results where year = ? and on_initial_list",
        [YEAR],
    )
    assert sorted(row[0] for row in _rows(sheet)) == sorted(r[0] for r in listed)
    for planted in ("T_SMALL", "T_RETAKE", "T_2Y"):
        assert planted not in {row[0] for row in _rows(sheet)}


def test_booleans_are_da_net(workbook: Workbook) -> None:
    for spec in SHEETS:
        sheet = workbook[spec.title]
        for index, column in enumerate(spec.columns):
            if not column.yes_no:
                continue
            values = {row[index] for row in _rows(sheet)}
            assert values <= {"да", "нет", NO_DATA}, (spec.title, column.header, values)
            assert values & {"да", "нет"}


def test_clusters_sheet_speaks_russian(
    workbook: Workbook, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    sheet = workbook["Кластеры"]
    rows = _rows(sheet)
    [(count,)] = query(
        warehouse, "select count(*) from marts.mart_school_clusters where year = ?", [YEAR]
    )
    assert len(rows) == count
    cluster = [c.header for c in CLUSTER_SHEET.columns].index("Кластер")
    assert {row[cluster] for row in rows} <= set(CLUSTER_RU.values())
    [(t_c1_cluster,)] = query(
        warehouse,
        "select cluster from marts.mart_school_clusters where school_id = 'T_C1' and year = ?",
        [YEAR],
    )
    assert _row_of(sheet, "T_C1")[cluster] == CLUSTER_RU[t_c1_cluster]
    index_column = [c.header for c in CLUSTER_SHEET.columns].index(
        "Индекс образовательных результатов (ИОР)"
    )
    assert sheet.cell(row=2, column=index_column + 1).number_format == "0.000"


def test_partner_pairs_with_names_and_reasons(
    workbook: Workbook, region_run: tuple[Path, RunResult]
) -> None:
    warehouse, _ = region_run
    sheet = workbook["Школы-партнёры"]
    headers = [c.header for c in PARTNER_SHEET.columns]
    pairs = query(
        warehouse,
        "select p.school_id, p.partner_id, s.school_name, p.distance_km, p.reason "
        "from marts.mart_partner_matches p left join marts.mart_low_results s "
        "on s.school_id = p.partner_id and s.year = p.year where p.year = ?",
        [YEAR],
    )
    assert len(_rows(sheet)) == len(pairs)
    for school_id, partner_id, partner_name, distance, reason in pairs:
        row = dict(zip(headers, _row_of(sheet, school_id), strict=True))
        assert row["Код школы-партнёра"] == partner_id
        assert row["Наименование школы-партнёра"] == partner_name
        assert row["Расстояние, км"] == distance
        assert row["Причина, если партнёр не подобран"] == reason
        assert (partner_id is None) == (reason is not None)
        if partner_id:
            assert row["Тип пары"] in ("горизонтальная", "вертикальная")


def test_risk_profile_of_a_planted_school(workbook: Workbook) -> None:
    sheet = workbook["Профили рисков"]
    headers = [c.header for c in RISK_SHEET.columns]
    row = dict(zip(headers, _row_of(sheet, "T_C1"), strict=True))
    # Planted passport: 1 vacancy of 21 posts, 50 Mbit/s, 20 computers for 200, 12.5 km, city.
    assert row["В списке ШНОР"] == "да"
    assert row["Дефицит кадров"] == "нет"
    assert row["Слабая инфраструктура"] == "нет"
    assert row["Удалённость"] == "нет"
    assert row["Доля вакансий педагогов"] == pytest.approx(1 / 21)
    assert row["Тип местности"] == "город"
    vacancy = headers.index("Доля вакансий педагогов") + 1
    assert sheet.cell(row=2, column=vacancy).number_format == "0.0%"


def test_year_without_marts_is_a_clear_error(
    region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, _ = region_run
    out = tmp_path / "x.xlsx"
    result = nro(
        "export", "--year", "2019", "--out", str(out), landing=tmp_path, warehouse=warehouse
    )
    assert result.returncode == 1
    assert "no marts for 2019" in result.output and "2020–2024" in result.output
    assert not out.exists()
    missing = nro("export", "--year", "2024", landing=tmp_path, warehouse=tmp_path / "none.duckdb")
    assert missing.returncode == 1 and "no warehouse" in missing.output


def test_default_output_path(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NRO_EXPORTS_DIR", "NRO_DATA_DIR", "NRO_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    expected = settings.PROJECT_ROOT / "data" / "warehouse" / "exports" / "nro_2024.xlsx"
    assert default_output_path(2024) == expected


def test_cell_values_for_officials() -> None:
    flag = Column("Критерий 1", "x", yes_no=True)
    assert [flag.display(v) for v in (True, False, None)] == ["да", "нет", NO_DATA]
    assert Column("Кластер", "x", labels=CLUSTER_RU).display("at_risk") == "группа риска"
    assert Column("Доля", "x", percent=True).text(0.0476) == "4,8 %"
    assert russian_number(-0.0001, 3) == "0,000"
    assert russian_number(-0.25, 2) == "−0,25"
    assert LIST_SHEET.query().count("$year") == 1


def test_xlsx_export_asset(
    region_run: tuple[Path, RunResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, _ = region_run
    monkeypatch.setenv("NRO_EXPORTS_DIR", str(tmp_path))
    result = dg.materialize(
        [xlsx_export_asset],
        partition_key=str(YEAR),
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["workbooks"].value == {"2024": str(tmp_path / "nro_2024.xlsx")}
    assert metadata["schools_on_list"].value == {"2024": _listed(warehouse)}
    assert openpyxl.load_workbook(tmp_path / "nro_2024.xlsx").sheetnames == SHEET_TITLES
