"""`nro publish`: freeze a year's list as published, in the append-only `marts.published_lists`.

Officials act on the list they were sent, so what was published must stay readable after any later
run, and reports must say how the current list differs from it (SPEC §4, §6). The table is written
only here, never by dbt: dbt neither knows nor drops it, and each `nro run` carries it over with
the rest of the warehouse file (and into the BI snapshot, which copies schema marts). Rows are only
ever inserted, one publication at a time, under the same lock `nro run` holds while it refreshes
the warehouse, so a publication is never lost to the swap at the end of a concurrent run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.publish.freshness import year_parameters
from nro_pipeline.lib.publish.snapshot import publish_marts
from nro_pipeline.lib.publish.working_copy import warehouse_lock

TABLE = "marts.published_lists"
_TABLE_COMMENT = (
    "Опубликованные списки ШНОР (только добавление): каждая публикация (nro publish --year Y) "
    "замораживает список года — все школы года с отметкой о включении, надёжностью, причинами, "
    "правилом отбора, параметрами и хэшами входных файлов. Пересчёты витрин эти строки не меняют."
)
_COLUMNS: dict[str, tuple[str, str]] = {
    "publication_id": ("INTEGER", "Номер публикации (растёт с каждой публикацией, по всем годам)."),
    "year": ("INTEGER", "Год результатов опубликованного списка."),
    "published_at": ("TIMESTAMP", "Дата и время публикации (UTC)."),
    "school_id": ("VARCHAR", "Код образовательной организации (ОО)."),
    "on_initial_list": ("BOOLEAN", "Школа была в опубликованном списке ШНОР."),
    "list_confidence": (
        "VARCHAR",
        "Надёжность на момент публикации: clear, borderline, near_miss или пусто "
        "(подписи: marts.dim_code_labels, справочник list_confidence).",
    ),
    "reasons": ("VARCHAR", "Причины включения в список на момент публикации."),
    "rule_set": ("VARCHAR", "Правило отбора, по которому был построен список (словами)."),
    "input_hashes": (
        "VARCHAR",
        "Входные файлы года (JSON: вид файла → имя и SHA-256 содержимого) из raw.landed_files.",
    ),
    "parameters": (
        "VARCHAR",
        "Параметры методики (переменные dbt), с которыми построены витрины года "
        "(marts.year_parameters; если их нет — значения по умолчанию), JSON.",
    ),
}


class PublishError(Exception):
    """The year cannot be published (no warehouse, no marts, warehouse busy); says why."""


@dataclass(frozen=True)
class Publication:
    publication_id: int
    year: int
    published_at: datetime
    schools: int
    listed: int
    parameters_recorded: bool  # False: the year had no marts.year_parameters; defaults were kept


@dataclass(frozen=True)
class ListDifference:
    """How the current list of a year differs from its latest publication."""

    year: int
    publication_id: int
    published_at: datetime
    added: list[str]  # on the list now, not in the publication
    removed: list[str]  # in the publication, not on the list now

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table with its Russian comments when it is not there yet."""
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in _COLUMNS.items())
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({columns})")
    # COMMENT ON takes no parameters: the texts are this module's own constants
    con.execute(f"COMMENT ON TABLE {TABLE} IS {_literal(_TABLE_COMMENT)}")
    for name, (_, comment) in _COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN {TABLE}.{name} IS {_literal(comment)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_year(warehouse: Path, year: int, snapshot: Path) -> Publication:
    """Append the year's current list as a new publication and refresh the BI snapshot, under the
    runs' lock (raises WarehouseBusyError while a run refreshes the warehouse).

    The publication keeps the parameters the year's marts were built with (marts.year_parameters,
    `--var` overrides included); only a year built before that record existed gets the project
    defaults, and `Publication.parameters_recorded` says so."""
    if not warehouse.exists():
        raise PublishError(f"no warehouse at {warehouse}: run `nro run` first.")
    with warehouse_lock(warehouse):
        try:
            con = duckdb.connect(str(warehouse))
        except duckdb.IOException as error:
            raise PublishError(
                f"{warehouse} is open in another process (a Dagster run?); try again when it ends."
            ) from error
        with con:
            publication = _append(con, year)
        publish_marts(warehouse, snapshot)
    return publication


def _append(con: duckdb.DuckDBPyConnection, year: int) -> Publication:
    schools = _count(con, "SELECT count(*) FROM marts.mart_low_results WHERE year = ?", year)
    if not schools:
        raise PublishError(
            f"the warehouse has no marts for {year}: run `nro run --years {year}` first."
        )
    parameters = year_parameters(con, year)
    recorded = bool(parameters)
    if not recorded:
        parameters = dict(dbt_defaults())
    con.execute("BEGIN TRANSACTION")
    ensure_table(con)
    publication_id = _count(con, f"SELECT coalesce(max(publication_id), 0) + 1 FROM {TABLE}")
    published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    con.execute(
        f"""
        INSERT INTO {TABLE}
        SELECT ?, year, ?, school_id, on_initial_list, list_confidence, reasons, rule_set, ?, ?
        FROM marts.mart_low_results WHERE year = ? ORDER BY school_id
        """,
        [
            publication_id,
            published_at,
            _input_hashes(con, year),
            json.dumps(parameters, ensure_ascii=False, sort_keys=True),
            year,
        ],
    )
    con.execute("COMMIT")
    listed = _count(
        con,
        f"SELECT count(*) FROM {TABLE} WHERE publication_id = ? AND on_initial_list",
        publication_id,
    )
    return Publication(publication_id, year, published_at, schools, listed, recorded)


def _input_hashes(con: duckdb.DuckDBPyConnection, year: int) -> str:
    rows = con.execute(
        "SELECT kind, source_file, content_hash FROM raw.landed_files WHERE year = ? ORDER BY kind",
        [year],
    ).fetchall()
    return json.dumps(
        {kind: {"file": Path(file).name, "sha256": sha} for kind, file, sha in rows},
        ensure_ascii=False,
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> int:
    return con.execute(sql, list(params)).fetchone()[0]


def published_difference(con: duckdb.DuckDBPyConnection, year: int) -> ListDifference | None:
    """Schools added to / removed from the year's list since its latest publication; None when
    the year was never published. Works on the warehouse and on the BI snapshot alike."""
    if not _has_table(con):
        return None
    latest = con.execute(
        f"SELECT publication_id, published_at FROM {TABLE} WHERE year = ? "
        "ORDER BY publication_id DESC LIMIT 1",
        [year],
    ).fetchone()
    if latest is None:
        return None
    published = f"SELECT school_id FROM {TABLE} WHERE publication_id = ? AND on_initial_list"
    current = "SELECT school_id FROM marts.mart_low_results WHERE year = ? AND on_initial_list"
    added = con.execute(f"{current} EXCEPT {published} ORDER BY 1", [year, latest[0]]).fetchall()
    removed = con.execute(f"{published} EXCEPT {current} ORDER BY 1", [latest[0], year]).fetchall()
    return ListDifference(
        year, latest[0], latest[1], [r[0] for r in added], [r[0] for r in removed]
    )


def carry_over(old_warehouse: Path, new_warehouse: Path) -> int:
    """Copy the publications into a warehouse being re-created from scratch (`nro run --rebuild`):
    they record what was published, which no archive of input files can re-create."""
    with duckdb.connect(str(old_warehouse), read_only=True) as old:
        if not _has_table(old):
            return 0
    with duckdb.connect(str(new_warehouse)) as new:
        ensure_table(new)
        new.execute("ATTACH ? AS old_warehouse (READ_ONLY)", [str(old_warehouse)])
        new.execute(f"INSERT INTO {TABLE} FROM old_warehouse.{TABLE}")
        rows = _count(new, f"SELECT count(*) FROM {TABLE}")
        new.execute("DETACH old_warehouse")
    return rows


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return (
        _count(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'marts' AND table_name = 'published_lists'",
        )
        > 0
    )
