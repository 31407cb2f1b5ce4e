"""Report files reach their folders only when the run that wrote them commits."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.publish.staged_outputs import StagedOutputs, remove_leftovers


def _site(folder: Path, year: str, text: str) -> None:
    (folder / year).mkdir(parents=True)
    (folder / year / "index.html").write_text(text, encoding="utf-8")


def test_commit_replaces_files_and_folders_and_keeps_the_rest(tmp_path: Path) -> None:
    final = tmp_path / "reports"
    _site(final, "2023", "old 2023")
    _site(final, "2024", "old 2024")
    (final / "nro_2024.xlsx").write_text("old workbook")
    outputs = StagedOutputs("run1")
    staged = outputs.folder_for(final)
    _site(staged, "2024", "new 2024")
    (staged / "nro_2024.xlsx").write_text("new workbook")

    assert (final / "2024" / "index.html").read_text() == "old 2024"  # nothing moved yet
    placed = outputs.commit()

    assert sorted(p.name for p in placed) == ["2024", "nro_2024.xlsx"]
    assert (final / "2024" / "index.html").read_text() == "new 2024"
    assert (final / "nro_2024.xlsx").read_text() == "new workbook"
    assert (final / "2023" / "index.html").read_text() == "old 2023"
    assert sorted(p.name for p in final.iterdir()) == ["2023", "2024", "nro_2024.xlsx"]


def test_discard_and_leftovers_leave_the_final_folder_as_it_was(tmp_path: Path) -> None:
    final = tmp_path / "reports"
    _site(final, "2024", "old 2024")
    outputs = StagedOutputs("run2")
    _site(outputs.folder_for(final), "2024", "new 2024")
    outputs.discard()
    assert sorted(p.name for p in final.iterdir()) == ["2024"]

    died = StagedOutputs("run3")  # a run killed before it could commit or discard
    _site(died.folder_for(final), "2024", "half")
    remove_leftovers(final)
    assert sorted(p.name for p in final.iterdir()) == ["2024"]
    assert (final / "2024" / "index.html").read_text() == "old 2024"


def _job_writing_a_report(fail_after: bool) -> list[dg.AssetsDefinition]:
    @dg.asset
    def report(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:  # the run writes the warehouse, as a real refresh does
            con.execute("create or replace table t as select 2 as version")
        staged = warehouse.output_folder(Path(warehouse.path).parent / "reports")
        _site(staged, "2024", "from this run")

    @dg.asset(deps=[report])
    def later_step() -> None:
        if fail_after:
            raise RuntimeError("a crash after the report was written")

    return [report, later_step]


@pytest.mark.parametrize("fail_after", [False, True])
def test_a_discarded_run_leaves_no_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_after: bool
) -> None:
    warehouse = tmp_path / "nro.duckdb"
    monkeypatch.setenv("NRO_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("NRO_DATA_DIR", raising=False)
    monkeypatch.delenv("NRO_REPORTS_DIR", raising=False)
    reports = tmp_path / "reports"
    _site(reports, "2024", "published before")

    result = dg.materialize(
        _job_writing_a_report(fail_after),
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )

    assert result.success is not fail_after
    expected = "published before" if fail_after else "from this run"
    assert (reports / "2024" / "index.html").read_text() == expected
    assert sorted(p.name for p in reports.iterdir()) == ["2024"]  # no staging folder left
