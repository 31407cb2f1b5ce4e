"""Paths and process-wide settings, from environment variables with defaults (SPEC §2, §4).

Importing this module also switches off every call home (dbt, Dagster, GX), so that the pipeline
runs offline whichever entry point loads it first.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

LANDING_DIR_ENV = "NRO_LANDING_DIR"
WAREHOUSE_ENV = "NRO_WAREHOUSE"
PUBLISHED_ENV = "NRO_PUBLISHED"
DEFAULT_LANDING_DIR = PROJECT_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse" / "nro.duckdb"
DEFAULT_PUBLISHED = PROJECT_ROOT / "data" / "warehouse" / "published" / "nro_marts.duckdb"

# DuckDB's memory cap for every connection of the pipeline (dbt's too, through profiles.yml): the
# national backfill must stay under 4 GiB on a laptop; above the cap DuckDB spills to `<db>.tmp`.
DUCKDB_MEMORY_LIMIT_ENV = "NRO_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"

# The pool every asset and check that opens the DuckDB file belongs to (see dagster.yaml).
WAREHOUSE_POOL = "nro_warehouse"

_OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}
for _name, _value in _OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)


def landing_dir() -> Path:
    return Path(os.environ.get(LANDING_DIR_ENV) or DEFAULT_LANDING_DIR).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE).resolve()


def published_path() -> Path:
    return Path(os.environ.get(PUBLISHED_ENV) or DEFAULT_PUBLISHED).resolve()


def duckdb_memory_limit() -> str:
    return os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DEFAULT_DUCKDB_MEMORY_LIMIT


def export_warehouse_path(path: str | Path) -> None:
    """dbt's profile reads the warehouse from NRO_WAREHOUSE: point it at the file Dagster uses."""
    os.environ[WAREHOUSE_ENV] = str(Path(path).resolve())
