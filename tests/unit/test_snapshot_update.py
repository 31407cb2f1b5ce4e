"""A BI snapshot written from the published one (only the changed years rewritten) is the same
file, for every reader, as one written from nothing: the same tables and rows, the same DDL and
comments, the same views. Worked on a small warehouse where each kind of change is planted."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from nro_pipeline.lib.publish import snapshot as snapshot_module
from nro_pipeline.lib.publish.snapshot import (
    FREE_SHARE_REWRITTEN,
    _is_whole_snapshot_file,
    publish_marts,
    write_snapshot,
)

WAREHOUSE = """
create schema marts;
create schema bi;
create schema public;
create table marts.results (school_id varchar not null, year integer not null, share double,
    primary key (school_id, year));
comment on table marts.results is 'Результаты';
comment on column marts.results.share is 'Доля';
insert into marts.results values
    ('A', 2022, 0.1), ('B', 2022, 0.2), ('A', 2023, 0.3), ('B', 2023, 0.4), ('A', 2024, 0.5);
create table marts.labels (code varchar primary key, label varchar);
insert into marts.labels values ('low', 'низкий'), ('high', 'высокий');
create table marts.schools (school_id varchar, year integer, name varchar);
comment on column marts.schools.name is 'Название';
insert into marts.schools values ('A', 2024, 'Школа А');
create table marts.codes (code varchar, label varchar);
insert into marts.codes values ('a', 'один'), ('b', 'два');
create table marts.retired (x integer);
insert into marts.retired values (1);
create view bi.results as select *, share * 100 as share_pct from marts.results;
create view public.results as select school_id, year from marts.results;
"""

CHANGES = """
-- 2022 gone, 2023 one value changed (same count of rows), 2025 new; 2024 as it was
delete from marts.results where year = 2022;
update marts.results set share = 0.35 where school_id = 'A' and year = 2023;
insert into marts.results values ('A', 2025, 0.6);
-- only a comment changes
comment on column marts.schools.name is 'Название школы';
-- a table without a year: a column added (its DDL changes)
alter table marts.labels add column note varchar;
-- a table without a year, its rows changed (its DDL not)
update marts.codes set label = 'два (2)' where code = 'b';
drop table marts.retired;
create table marts.added (k integer);
insert into marts.added values (7);
create or replace view bi.results as select *, share * 1000 as share_permille from marts.results;
"""


@pytest.fixture(autouse=True)
def update_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """These files are tiny: updated all the same, as a national snapshot is."""
    monkeypatch.setattr(snapshot_module, "UPDATE_FROM_BYTES", 0)


def _warehouse(path: Path, sql: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def _everything(snapshot: Path) -> dict[str, object]:
    """What any reader of the file can see: DDL, comments, views and every table's rows."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        seen: dict[str, object] = {
            "tables": con.execute(
                "select schema_name, table_name, comment, sql from duckdb_tables() order by all"
            ).fetchall(),
            "columns": con.execute(
                "select schema_name, table_name, column_name, data_type, comment "
                "from duckdb_columns() order by all"
            ).fetchall(),
            "views": con.execute(
                "select schema_name, view_name, sql from duckdb_views() "
                "where not internal order by all"
            ).fetchall(),
        }
        for schema, table, *_ in seen["tables"]:  # type: ignore[union-attr]
            seen[f"{schema}.{table}"] = con.execute(
                f'select * from {schema}."{table}" order by all'
            ).fetchall()
        seen["bi.results"] = con.execute("select * from bi.results order by all").fetchall()
    return seen


def test_a_snapshot_updated_from_the_published_one_equals_one_written_whole(
    tmp_path: Path,
) -> None:
    warehouse = _warehouse(tmp_path / "nro.duckdb", WAREHOUSE)
    published = tmp_path / "published.duckdb"
    write_snapshot(warehouse, published)
    assert _is_whole_snapshot_file(published)
    _warehouse(warehouse, CHANGES)

    updated, whole = tmp_path / "updated.duckdb", tmp_path / "whole.duckdb"
    rows = write_snapshot(warehouse, updated, previous=published)
    write_snapshot(warehouse, whole)

    assert _everything(updated) == _everything(whole)
    assert rows == {
        "added": 1,
        "codes": 2,
        "labels": 2,
        "results": 4,
        "schools": 1,
        "bi.results": 4,
        "public.results": 4,
    }
    with duckdb.connect(str(updated), read_only=True) as con:
        assert con.execute("select share from marts.results where year = 2023").fetchall() == [
            (0.35,),
            (0.4,),
        ]


def test_a_published_file_that_is_not_whole_is_not_updated(tmp_path: Path) -> None:
    """A file with a write-ahead log beside it, or of another storage format, is never a start."""
    warehouse = _warehouse(tmp_path / "nro.duckdb", WAREHOUSE)
    published = tmp_path / "published.duckdb"
    write_snapshot(warehouse, published)
    Path(f"{published}.wal").touch()
    assert not _is_whole_snapshot_file(published)

    other_format = tmp_path / "other.duckdb"
    shutil.copy(warehouse, other_format)  # written in DuckDB's own format, not the snapshot's
    assert not _is_whole_snapshot_file(other_format)
    assert not _is_whole_snapshot_file(tmp_path / "missing.duckdb")

    updated, whole = tmp_path / "updated.duckdb", tmp_path / "whole.duckdb"
    write_snapshot(warehouse, updated, previous=other_format)
    write_snapshot(warehouse, whole)
    assert _everything(updated) == _everything(whole)


def test_an_updated_snapshot_never_keeps_more_than_a_quarter_of_its_blocks_free(
    tmp_path: Path,
) -> None:
    """Years rewritten again and again leave blocks free: past a quarter of the file, the
    snapshot is written whole instead."""
    before = _warehouse(tmp_path / "before.duckdb", WAREHOUSE)
    after = _warehouse(tmp_path / "after.duckdb", WAREHOUSE + CHANGES)
    published = tmp_path / "published.duckdb"
    for round_ in range(8):
        publish_marts(after if round_ % 2 else before, published)
        with duckdb.connect(str(published), read_only=True) as con:
            _, _, _, total, _, free, *_ = con.execute("PRAGMA database_size").fetchone()
        assert free / total <= FREE_SHARE_REWRITTEN, (round_, free, total)


def test_a_small_published_snapshot_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below UPDATE_FROM_BYTES, copying every table is faster than comparing them."""
    monkeypatch.setattr(snapshot_module, "UPDATE_FROM_BYTES", 64 * 2**20)
    warehouse = _warehouse(tmp_path / "nro.duckdb", WAREHOUSE)
    published = tmp_path / "published.duckdb"
    write_snapshot(warehouse, published)

    def no_copy(*_: object) -> None:
        raise AssertionError("a small snapshot was copied to be updated")

    monkeypatch.setattr(snapshot_module.shutil, "copyfile", no_copy)
    updated = tmp_path / "updated.duckdb"
    write_snapshot(warehouse, updated, previous=published)
    assert _everything(updated) == _everything(published)
