"""A file that breaks a rule stops its year's marts, says file, row and rule, and keeps the old marts."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.support.run import nro, query

MART_ROWS = "SELECT * FROM marts.mart_low_results WHERE year = 2024 ORDER BY school_id"
FACT_ROWS = "SELECT * FROM marts.fct_procedure_results WHERE year = 2024 ORDER BY ALL"


def _rewrite(path: Path, change) -> int:
    """Apply `change(row)` to the first row it returns True for; return that row's file row number."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    changed_at = next(i for i, row in enumerate(rows) if change(row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return changed_at + 2  # the header is row 1


def test_marks_not_summing_to_participants_block_the_year(
    region_copy: tuple[Path, Path],
) -> None:
    landing, warehouse = region_copy
    marts_before, facts_before = query(warehouse, MART_ROWS), query(warehouse, FACT_ROWS)

    def break_marks(row: dict) -> bool:
        if row["school_id"] == "T_C1" and row["subject"] == "math":
            row["mark_2"] = str(int(row["mark_2"]) + 1)
            return True
        return False

    bad_row = _rewrite(landing / "2024" / "vpr_results.csv", break_marks)
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)

    assert result.returncode == 1
    assert "vpr_results.csv" in result.output
    assert "mark_2 + mark_3 + mark_4 + mark_5 = participants" in result.output
    assert f"row {bad_row} (" in result.output
    assert "2024: NOT refreshed" in result.output
    assert "Traceback" not in result.output
    assert query(warehouse, MART_ROWS) == marts_before
    assert query(warehouse, FACT_ROWS) == facts_before


def test_missing_required_column_and_unknown_school(region_copy: tuple[Path, Path]) -> None:
    landing, warehouse = region_copy
    marts_before = query(warehouse, MART_ROWS)
    passport = landing / "2024" / "social_passport.csv"
    text = passport.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    dropped = header.index("teachers_total")
    passport.write_text(
        "\n".join(
            ",".join(v for i, v in enumerate(line.split(",")) if i != dropped) for line in text
        )
        + "\n",
        encoding="utf-8",
    )
    unknown_row = _rewrite(
        landing / "2024" / "gia_results.csv",
        lambda row: (
            row["school_id"] == "T_RETAKE" and row.update(school_id="NO_SUCH_SCHOOL") is None
        ),
    )
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)

    assert result.returncode == 1
    assert "social_passport.csv: rule «the file has every required column" in result.output
    assert "missing: teachers_total" in result.output
    assert "gia_results.csv: rule «school_id is a school of this year's registry" in result.output
    assert f"row {unknown_row} (school_id=NO_SUCH_SCHOOL)" in result.output
    # A file that breaks a rule gets GX Data Docs, and the blocked year points to them; a file
    # that passes gets none (the registry passed its rules in this run).
    docs = warehouse.parent / "gx_docs" / "2024" / "gia_results" / "index.html"
    assert f"GX Data Docs: {docs}" in result.output
    # one page per group of rules GX ran together (rule_groups.py); one of them names the id
    pages = list((docs.parent / "validations").rglob("*.html"))
    assert any("NO_SUCH_SCHOOL" in page.read_text(encoding="utf-8") for page in pages)
    # and they open offline: nothing fetched from a CDN (GX's own pages would)
    for page in [docs, *pages]:
        assert not re.search(r'(?:src|<link[^>]*href)="https?://', page.read_text(encoding="utf-8"))
    assert not (warehouse.parent / "gx_docs" / "2024" / "schools").exists()
    assert query(warehouse, MART_ROWS) == marts_before


def test_header_only_file_is_valid_with_a_warning(region_copy: tuple[Path, Path]) -> None:
    landing, warehouse = region_copy
    gia = landing / "2024" / "gia_results.csv"
    gia.write_text(gia.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = nro("run", "--years", "2024", landing=landing, warehouse=warehouse)
    assert result.returncode == 0, result.output
    assert "warning: " in result.output and "gia_results.csv: header only, no rows" in result.output
    assert query(
        warehouse,
        "SELECT count(*) FROM marts.fct_procedure_results WHERE year = 2024 AND exam <> 'VPR'",
    ) == [(0,)]
