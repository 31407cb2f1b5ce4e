"""Dagster resources: the landing zone, the DuckDB warehouse and the BI snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.landing_reader import find_landing_file


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


class LandingZoneResource(dg.ConfigurableResource):
    """Folder with one sub-folder per results year holding the four extracts."""

    path: str = Field(
        default_factory=lambda: str(settings.landing_dir()),
        description="Root of the landing zone: <root>/<year>/<kind>.csv|xlsx.",
    )

    def file_for(self, year: int, kind: FileKind) -> Path:
        return find_landing_file(Path(self.path), year, kind)


class PublishedSnapshotResource(dg.ConfigurableResource):
    """Where BI tools read the marts (`NRO_PUBLISHED`, default data/warehouse/published/nro_marts.duckdb)."""

    path: str = Field(
        default_factory=lambda: str(settings.published_path()),
        description="Read-only snapshot of the marts for BI tools.",
    )
