"""The DuckDB warehouse as a Dagster resource: one file, opened briefly by one writer at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from nro_pipeline import settings


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file (`NRO_WAREHOUSE`, default `data/warehouse/nro.duckdb`)."""

    path: str = Field(
        default_factory=lambda: str(settings.warehouse_path()),
        description="Path of the DuckDB warehouse file.",
    )

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = Path(self.path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(
            str(path),
            read_only=read_only,
            config={"memory_limit": settings.duckdb_memory_limit()},
        )
        try:
            yield connection
        finally:
            connection.close()
