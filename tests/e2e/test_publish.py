"""`nro publish` freezes a year's list; later runs never change it and the difference is reported."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import openpyxl

from nro_pipeline.lib.publish.published_lists import published_difference
from nro_pipeline.lib.publish.working_copy import warehouse_lock
from nro_pipeline.lib.reports.html_report import render
from nro_pipeline.lib.reports.list_changes import list_changes
from tests.support.reports import report_year
from tests.support.run import nro, query

DIFFERENCE = "Отличия от опубликованного"

PUBLISHED = "SELECT * FROM marts.published_lists ORDER BY publication_id, school_id"


def _clear_t_c1_vpr_math_5(landing: Path) -> None:
    """T_C1's VPR math 5 of 2024 (3 of 10 failing, low) becomes 0 of 10: T_C1 keeps one low
    procedure (EGE rus), so criterion 1 fails and it leaves the 2024 list."""
    path = landing / "2024" / "vpr_results.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    changed = 0
    for row in rows:
        if (row["school_id"], row["grade"], row["subject"]) == ("T_C1", "5", "math"):
            row["mark_3"] = str(int(row["mark_3"]) + int(row["mark_2"]))
            row["mark_2"] = "0"
            changed += 1
    assert changed == 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_publish_survives_a_run_and_the_difference_is_reported(
    region_copy: tuple[Path, Path],
) -> None:
    landing, warehouse = region_copy
    snapshot = warehouse.with_name(f"{warehouse.stem}_published.duckdb")  # tests/support/run.py

    done = nro("publish", "--year", "2024", landing=landing, warehouse=warehouse)
    assert done.returncode == 0, done.output
    assert "publication 1" in done.output
    published = query(warehouse, PUBLISHED)
    schools = query(warehouse, "SELECT count(*) FROM marts.mart_low_results WHERE year = 2024")
    assert len(published) == schools[0][0]
    listed = {row[3] for row in published if row[4]}
    assert {"T_C1", "T_C2"} <= listed and "T_SMALL" not in listed
    hashes = json.loads(published[0][8])
    landed = dict(
        query(warehouse, "SELECT kind, content_hash FROM raw.landed_files WHERE year = 2024")
    )
    assert {kind: entry["sha256"] for kind, entry in hashes.items()} == landed
    recorded = query(
        warehouse, "SELECT parameter, value FROM marts.year_parameters WHERE year = 2024"
    )
    assert json.loads(published[0][9]) == {name: json.loads(value) for name, value in recorded}
    assert json.loads(published[0][9])["low_share_threshold"] == 0.30
    assert query(snapshot, PUBLISHED) == published  # the BI snapshot shows it at once

    _clear_t_c1_vpr_math_5(landing)
    # A changed parameter too: it moves no school (it bounds the clusters' result levels) but the
    # reports and the next publication must quote the value the year was built with.
    run = nro(
        "run", "--years", "2024", "--var", "result_level_high=0.8",
        landing=landing, warehouse=warehouse,
    )  # fmt: skip
    assert run.returncode == 0, run.output

    assert query(warehouse, PUBLISHED) == published  # the run changed nothing published
    assert query(snapshot, PUBLISHED) == published
    with duckdb.connect(str(snapshot), read_only=True) as con:
        difference = published_difference(con, 2024)
        assert published_difference(con, 2023) is None  # never published
    assert difference is not None
    assert (difference.publication_id, difference.added, difference.removed) == (1, [], ["T_C1"])
    _difference_is_reported(warehouse, published)

    again = nro("publish", "--year", "2024", landing=landing, warehouse=warehouse)
    assert again.returncode == 0, again.output
    rows = query(warehouse, PUBLISHED)
    assert rows[: len(published)] == published  # appended, never rewritten
    second = {row[3] for row in rows if row[0] == 2 and row[4]}
    assert second == listed - {"T_C1"}
    assert json.loads(rows[-1][9])["result_level_high"] == 0.8  # the year's recorded value
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert published_difference(con, 2024).unchanged
        assert list_changes(con, 2024).summary.endswith("Текущий расчёт с ним совпадает.")


def _difference_is_reported(warehouse: Path, published: list[tuple]) -> None:
    """The workbook and the report list exactly T_C1 as removed since publication 1."""
    [t_c1] = [row for row in published if row[3] == "T_C1"]
    expected = ("T_C1", "Планшкола критерия 1", "Планмуниципалитет", "исключена из списка", t_c1[6])
    published_at = f"{t_c1[2]:%d.%m.%Y %H:%M}"
    out = warehouse.parent / "exports" / "nro_2024.xlsx"
    export = nro(
        "export", "--year", "2024", "--out", str(out), landing=out.parent, warehouse=warehouse
    )
    assert export.returncode == 0, export.output
    workbook = openpyxl.load_workbook(out)
    sheet = workbook[DIFFERENCE]
    assert sheet["A2"].value == (
        f"Список 2024 года опубликован {published_at} UTC (публикация № 1). "
        "Текущий расчёт отличается: добавлено школ — 0, исключено — 1."
    )
    assert [row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)] == [expected]
    method = {row[1]: row[2] for row in workbook["Методика"].iter_rows(min_row=4, values_only=True)}
    assert method["result_level_high"] == "0,8"

    _, data = report_year(warehouse, 2024, warehouse.parent / "reports")
    assert [row[:4] for row in data.changes.rows] == [list(expected[:4])]
    assert data.changes.hrefs == ["../schools/T_C1.html"]  # the school's one page, all years
    assert data.changes_summary == sheet["A2"].value
    assert data.scatter.level_lines[1].label == "высокий ≥ 0,80"  # drawn where the year was built
    html = render(data)
    assert 'id="list-changes"' in html and "исключена из списка" in html


def test_publish_refuses_a_year_without_marts_and_a_busy_warehouse(
    region_copy: tuple[Path, Path],
) -> None:
    landing, warehouse = region_copy
    done = nro("publish", "--year", "2019", landing=landing, warehouse=warehouse)
    assert done.returncode == 1
    assert "no marts for 2019" in done.output and "Traceback" not in done.output

    with warehouse_lock(warehouse):  # as nro run holds it while it refreshes the warehouse
        busy = nro("publish", "--year", "2024", landing=landing, warehouse=warehouse)
    assert busy.returncode == 1
    assert "is being written by" in busy.output and "Traceback" not in busy.output
    tables = query(warehouse, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")
    assert ("published_lists",) not in tables
