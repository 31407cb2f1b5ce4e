"""`nro publish`: freeze a year's list as published, in the append-only `marts.published_lists`.

Officials act on the list they were sent, so what was published must stay readable after any later
run, and reports must say how the current list differs from it. The table is written
only here, never by dbt: dbt neither knows nor drops it, and each run carries it over with the
rest of the warehouse file (and into the BI snapshot, which copies schema marts). Rows are only
ever inserted, one publication at a time, by the Dagster asset `marts/published_lists` (job
`publish_list`, what `nro publish` launches): like every run it holds the warehouse lock, so a
publication is never lost to the swap at the end of a concurrent run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.publish.freshness import year_parameters

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
    # The region's decisions (docs/methodology.md, «Решения региона»), from mart_support_list.
    "in_final_list": (
        "BOOLEAN",
        "Школа была в опубликованном итоговом списке (решения региона; без реестра — "
        "предварительный список).",
    ),
    "decision": (
        "VARCHAR",
        "Решение региона на момент публикации: confirm, include, exclude или пусто.",
    ),
    "reason": ("VARCHAR", "Обоснование решения региона (или почему школа осталась в списке)."),
    "partner_id": ("VARCHAR", "Школа-партнёр школы итогового списка на момент публикации."),
}
# What a publication of the final list adds to the list's own columns (older tables gain them).
_FINAL_LIST_COLUMNS = ("in_final_list", "decision", "reason", "partner_id")


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
    final_listed: int = 0  # schools of the final list (the region's decisions)


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
    for name in _FINAL_LIST_COLUMNS:  # a table published before the final list existed
        con.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {name} {_COLUMNS[name][0]}")
    # COMMENT ON takes no parameters: the texts are this module's own constants
    con.execute(f"COMMENT ON TABLE {TABLE} IS {_literal(_TABLE_COMMENT)}")
    for name, (_, comment) in _COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN {TABLE}.{name} IS {_literal(comment)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def append_publication(con: duckdb.DuckDBPyConnection, year: int) -> Publication:
    """Append the year's current list as a new publication, in one transaction.

    The publication keeps the parameters the year's marts were built with (marts.year_parameters,
    `--var` overrides included); only a year built before that record existed gets the project
    defaults, and `Publication.parameters_recorded` says so."""
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
    decided = _has_relation(con, "mart_support_list")
    # marts built before the final list existed: the final list is the preliminary one
    final = (
        "coalesce(s.in_final_list, false), s.decision, s.reason, s.partner_id"
        if decided
        else "l.on_initial_list, NULL, NULL, NULL"
    )
    join = (
        "LEFT JOIN marts.mart_support_list AS s ON s.school_id = l.school_id AND s.year = l.year"
        if decided
        else ""
    )
    con.execute(
        f"""
        INSERT INTO {TABLE} ({", ".join(_COLUMNS)})
        SELECT ?, l.year, ?, l.school_id, l.on_initial_list, l.list_confidence, l.reasons,
            l.rule_set, ?, ?, {final}
        FROM marts.mart_low_results AS l {join} WHERE l.year = ? ORDER BY l.school_id
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
    final_listed = _count(
        con,
        f"SELECT count(*) FROM {TABLE} WHERE publication_id = ? AND in_final_list",
        publication_id,
    )
    return Publication(publication_id, year, published_at, schools, listed, recorded, final_listed)


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
    # fetchall, not fetchone: DuckDB 2 refuses further work on a connection with an open result
    return con.execute(sql, list(params)).fetchall()[0][0]


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
    # The final lists (docs/methodology.md, «Решения региона»); a publication made before
    # the final list existed published the preliminary one.
    published = (
        f"SELECT school_id FROM {TABLE} WHERE publication_id = ? "
        "AND coalesce(in_final_list, on_initial_list)"
        if _has_column(con, "in_final_list")
        else f"SELECT school_id FROM {TABLE} WHERE publication_id = ? AND on_initial_list"
    )
    current = (
        "SELECT school_id FROM marts.mart_support_list WHERE year = ? AND in_final_list"
        if _has_relation(con, "mart_support_list")
        else "SELECT school_id FROM marts.mart_low_results WHERE year = ? AND on_initial_list"
    )
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
        new.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM old_warehouse.{TABLE}")
        rows = _count(new, f"SELECT count(*) FROM {TABLE}")
        new.execute("DETACH old_warehouse")
    return rows


def _has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A table or view of schema marts in the current database."""
    return (
        _count(
            con,
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = "
            "current_database() AND table_schema = 'marts' AND table_name = ?",
            name,
        )
        > 0
    )


def _has_column(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return (
        _count(
            con,
            "SELECT count(*) FROM information_schema.columns WHERE table_catalog = "
            "current_database() AND table_schema = 'marts' AND table_name = 'published_lists' "
            "AND column_name = ?",
            name,
        )
        > 0
    )


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return (
        _count(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'marts' AND table_name = 'published_lists'",
        )
        > 0
    )
