"""The BI snapshot opens in the DuckDB 1.x that BI drivers bundle, with comments, labels and lists
as text: read here with duckdb 1.1.3 in a venv of its own (created once, cached)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nro_pipeline.lib.publish import snapshot as snapshot_module
from nro_pipeline.lib.publish.snapshot import publish_marts
from tests.support.marts import spoil
from tests.support.run import RunResult, query

OLD_DUCKDB = "1.1.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nro-tests"

# What a BI user does first: list the tables, read their Russian descriptions, query the list.
CLIENT_SCRIPT = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
one = lambda sql: con.execute(sql).fetchall()
print(json.dumps({
    "version": duckdb.__version__,
    "relations": one("select schema_name || '.' || table_name from duckdb_tables() "
                     "union all select schema_name || '.' || view_name from duckdb_views() "
                     "where not internal order by 1"),
    "table_comment": one("select comment from duckdb_tables() where schema_name = 'marts' "
                         "and table_name = 'mart_low_results'"),
    "column_comment": one("select comment from duckdb_columns() where schema_name = 'bi' "
                          "and table_name = 'mart_school_clusters' and column_name = 'cluster_ru'"),
    "inherited_comment": one("select comment from duckdb_columns() where schema_name = 'bi' "
                             "and table_name = 'mart_low_results' and column_name = 'reasons'"),
    "listed_2024": one("select school_id, low_procedure_ids from bi.mart_low_results "
                       "where year = 2024 and on_initial_list and school_id like 'T\\\\_%' escape '\\\\' "
                       "order by school_id"),
    "clusters": one("select distinct cluster, cluster_ru from bi.mart_school_clusters "
                    "order by cluster"),
    "benchmark": one("select distinct benchmark_level, benchmark_level_ru "
                     "from bi.mart_school_benchmark order by 1 nulls last"),
    "t_c1": one("select levels, levels_ru, is_active from bi.dim_schools "
                "where school_id = 'T_C1' and year = 2024"),
    "dim_schools_2024": one("select count(*) from marts.dim_schools where year = 2024"),
    "list_type": one("select data_type from duckdb_columns() where schema_name = 'bi' "
                     "and table_name = 'mart_low_results' and column_name = 'low_procedure_ids'"),
    "stages": one("select distinct support_stage, support_stage_ru from bi.mart_low_results "
                  "order by 1"),
    "effect": one("select \\"group\\", group_ru, verdict_ru is not null from bi.mart_programme_effect "
                  "where entry_year is null and horizon = 1 order by 1"),
    "t_left_outcome": one("select horizon, typeof(comparison_school_ids) from bi.mart_list_outcomes "
                          "where school_id = 'T_LEFT'"),
    "support_sources": one("select distinct partner_source, partner_source_ru "
                           "from bi.mart_support_list where year = 2024 and in_final_list order by 1"),
    "public_results": one("select count(*), count(participants), count(*) filter "
                          "(where participants_suppressed) from public.procedure_results "
                          "where year = 2024"),
    "public_benchmark": one("select count(*) from public.school_benchmark where year = 2024"),
    "keys": one("select table_name, constraint_text from duckdb_constraints() where schema_name "
                "= 'marts' and constraint_type = 'PRIMARY KEY' and table_name = 'mart_low_results'"),
}, ensure_ascii=False))
"""


def _old_duckdb_python() -> Path:
    """A venv with duckdb 1.1.3 from the package registry, made once and kept in the cache."""
    venv = CACHE / f"duckdb-{OLD_DUCKDB}"
    python = venv / "bin" / "python"
    ready = (
        subprocess.run(
            [str(python), "-c", f"import duckdb; assert duckdb.__version__ == '{OLD_DUCKDB}'"],
            capture_output=True,
            check=False,
        )
        if python.exists()
        else None
    )
    if ready is None or ready.returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"duckdb=={OLD_DUCKDB}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if install.returncode != 0:
            pytest.skip(f"cannot install duckdb=={OLD_DUCKDB}: {install.stderr[-300:]}")
    return python


def test_duckdb_1_1_reads_the_snapshot(
    region_run: tuple[Path, RunResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot as a national run leaves it: published once before 2024 was built, then
    updated from that file (2024's rows written into it), as the run adding a year does."""
    monkeypatch.setattr(snapshot_module, "UPDATE_FROM_BYTES", 0)  # the region's file is small
    warehouse, result = region_run
    assert result.returncode == 0, result.output
    before_2024 = tmp_path / "before_2024.duckdb"
    shutil.copy(warehouse, before_2024)
    spoil(before_2024, (2024,))
    snapshot = tmp_path / "nro_marts.duckdb"
    publish_marts(before_2024, snapshot)
    publish_marts(warehouse, snapshot)

    done = subprocess.run(
        [str(_old_duckdb_python()), "-c", CLIENT_SCRIPT, str(snapshot)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)

    assert seen["version"] == OLD_DUCKDB
    relations = {row[0] for row in seen["relations"]}
    assert {"marts.mart_low_results", "marts.dim_schools", "marts.dim_code_labels"} <= relations
    assert {
        "bi.mart_low_results",
        "bi.mart_school_clusters",
        "bi.mart_school_benchmark",
        "bi.mart_list_outcomes",
        "bi.mart_programme_effect",
        "bi.mart_support_list",
        "bi.dim_schools",
    } <= relations
    assert {
        "public.procedure_results",
        "public.low_results",
        "public.school_benchmark",
        "public.programme_effect",
        "public.schools",
    } <= relations
    assert not any(r.split(".")[0] not in ("marts", "bi", "public") for r in relations)
    [(rows, shown, hidden)] = seen["public_results"]  # the public views run in DuckDB 1.1 too
    assert rows == shown + hidden and shown > 0 and hidden > 0
    assert seen["public_benchmark"][0][0] == seen["dim_schools_2024"][0][0]
    # the marts' contracts travel with the snapshot: a BI client sees their keys
    assert seen["keys"] == [["mart_low_results", 'PRIMARY KEY(school_id, "year")']]
    assert "ШНОР" in seen["table_comment"][0][0]
    assert seen["column_comment"][0][0].startswith("Кластер по-русски")
    assert seen["inherited_comment"][0][0]  # a column taken from the mart keeps its comment
    # tests/support/planted_schools.py: T_C1 by criterion 1 (VPR math 5 and EGE rus), T_C2 by 2
    listed = dict(seen["listed_2024"])
    assert listed["T_C1"] == "VPR_math_5, EGE_rus"
    assert "T_C2" in listed and "T_SMALL" not in listed
    assert seen["list_type"] == [["VARCHAR"]]
    labels = dict(seen["clusters"])
    assert labels["crisis"] == "кризисная" and labels["resilient"] == "резильентная"
    assert seen["t_c1"] == [["NOO,OOO,SOO", "НОО, ООО, СОО", True]]
    # every benchmark level of the region, in the words of seed code_labels (null: no group)
    assert seen["benchmark"][:3] == [
        ["above", "выше похожих школ"],
        ["below", "ниже похожих школ"],
        ["typical", "как похожие школы"],
    ]
    # support outcomes: every stage of the region and the pooled effect, labelled from code_labels
    stages = dict(seen["stages"])
    assert stages["listed"] == "в списке" and stages["none"] == "не была в списке"
    assert stages["left_unconfirmed"] == "вне списка — выход не подтверждён"
    assert seen["effect"][0][:2] == ["all", "все школы списка"]
    assert all(row[2] for row in seen["effect"])
    assert seen["t_left_outcome"] == [[1, "VARCHAR"]]  # T_LEFT entered in 2023: 2024 is built
    # no register in the planted region: the final list is the preliminary one, with the
    # suggested partners (or none), labelled in the words of seed code_labels
    sources = dict(seen["support_sources"])
    assert sources and set(sources) <= {"suggested", "none"}
    assert sources.get("suggested", "предложен методикой") == "предложен методикой"
    assert sources.get("none", "нет партнёра") == "нет партнёра"
    registry = query(warehouse, "SELECT count(*) FROM raw.schools WHERE year = 2024")
    assert seen["dim_schools_2024"][0][0] == registry[0][0]  # one row per registry school


def test_nro_export_parquet_writes_every_table(
    region_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    import duckdb

    from tests.support.run import nro

    landing, warehouse = region_copy
    snapshot = warehouse.with_name(f"{warehouse.stem}_published.duckdb")  # tests/support/run.py
    publish_marts(warehouse, snapshot)
    out = tmp_path / "parquet"
    done = nro(
        "export", "--format", "parquet", "--out", str(out), landing=landing, warehouse=warehouse
    )
    assert done.returncode == 0, done.output

    with duckdb.connect(str(snapshot), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        files = {p.relative_to(out).as_posix() for p in out.rglob("*.parquet")}
        assert files == {f"{schema}/{name}.parquet" for schema, name in tables}
        for schema, name in tables:
            expected = con.execute(f"SELECT count(*) FROM {schema}.{name}").fetchone()
            got = con.execute(f"SELECT count(*) FROM '{out}/{schema}/{name}.parquet'").fetchone()
            assert got == expected, name
        t_c1 = con.execute(
            f"SELECT low_procedure_ids, on_initial_list FROM '{out}/bi/mart_low_results.parquet' "
            "WHERE school_id = 'T_C1' AND year = 2024"
        ).fetchall()
    assert t_c1 == [("VPR_math_5, EGE_rus", True)]
