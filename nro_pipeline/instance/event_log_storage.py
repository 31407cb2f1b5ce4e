"""Dagster's SQLite event log, with one connection pool per database file instead of a new engine
for every statement.

Dagster's `SqliteEventLogStorage` opens a fresh SQLAlchemy engine and SQLite connection for each
read and write, and a dbt build stores thousands of events. Pooling them per file and process
keeps every write as it was — same tables, same transactions, same durability — for a fraction of
the cost (bench/README.md). Configured in the instance's dagster.yaml (`instance/home.py`), so
`nro run`, `nro dev` and its daemon all use it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` under `<dagster_home>/history/runs`, its engines kept per shard."""

    def __init__(self, dagster_home: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: dict[tuple[int, str], Engine] = {}
        self._engines_lock = threading.Lock()
        self._tables_seen: set[str] = set()
        super().__init__(str(Path(dagster_home) / "history" / "runs"), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"dagster_home": Field(StringSource)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(dagster_home=config_value["dagster_home"], inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        key = (os.getpid(), shard)  # a forked process opens its own connections
        with self._engines_lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                    pool_size=1,
                    max_overflow=4,
                )
                self._engines[key] = engine
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Tables are created by migrations and never dropped while a process runs.
        if table_name in self._tables_seen:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_seen.add(table_name)
        return found

    def delete_events(self, run_id: str) -> None:
        self._dispose(run_id)
        super().delete_events(run_id)

    def wipe(self) -> None:
        for _, shard in list(self._engines):
            self._dispose(shard)
        super().wipe()

    def _dispose(self, shard: str) -> None:
        with self._engines_lock:
            engine = self._engines.pop((os.getpid(), shard), None)
        if engine is not None:
            engine.dispose()
