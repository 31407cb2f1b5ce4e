"""Every setting of the pipeline, read from the environment in this one module (README «Configuration»).

Outputs follow one data root: `NRO_DATA_DIR`, else the folder of the warehouse file. A run against
another warehouse therefore never writes into the default `data/` folder. Each output may still be
moved on its own with its variable (`NRO_PUBLISHED`, `NRO_REPORTS_DIR`, …).

Importing this module also switches off every call home (dbt, Dagster, GX), so that the pipeline
runs offline whichever entry point loads it first.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

LANDING_DIR_ENV = "NRO_LANDING_DIR"
WAREHOUSE_ENV = "NRO_WAREHOUSE"
DATA_DIR_ENV = "NRO_DATA_DIR"
PUBLISHED_ENV = "NRO_PUBLISHED"
REPORTS_DIR_ENV = "NRO_REPORTS_DIR"
EXPORTS_DIR_ENV = "NRO_EXPORTS_DIR"
PUBLIC_DIR_ENV = "NRO_PUBLIC_DIR"
ARCHIVE_DIR_ENV = "NRO_ARCHIVE_DIR"
GX_DOCS_DIR_ENV = "NRO_GX_DOCS_DIR"
DBT_TARGET_DIR_ENV = "NRO_DBT_TARGET_DIR"
DBT_WAREHOUSE_ENV = "NRO_DBT_WAREHOUSE"  # the file `nro docs` points dbt at
DAGSTER_HOME_ENV = "DAGSTER_HOME"
QUARANTINE_POLICY_ENV = "NRO_QUARANTINE_POLICY"
QUARANTINE_MAX_SHARE_ENV = "NRO_QUARANTINE_MAX_SHARE"
ALLOW_SHRINK_ENV = "NRO_ALLOW_SHRINK"
ANNUAL_CRON_ENV = "NRO_ANNUAL_CRON"
DUCKDB_MEMORY_LIMIT_ENV = "NRO_DUCKDB_MEMORY_LIMIT"
REPORT_WORKERS_ENV = "NRO_REPORT_WORKERS"

DEFAULT_LANDING_DIR = PROJECT_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse" / "nro.duckdb"
DEFAULT_ANNUAL_CRON = "0 6 1 9 *"  # 1 September, 06:00: results of the spring are all in by then
# DuckDB's memory cap for every connection of the pipeline (dbt's too, through profiles.yml): the
# national backfill must stay under 4 GiB on a laptop; above the cap DuckDB spills to `<db>.tmp`.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
TIMEZONE = "Europe/Moscow"

_PROCESS_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    # dagster-dbt may split one selection into several dbt invocations (backfills do): each
    # then runs only the tests whose models it built.
    "DBT_INDIRECT_SELECTION": "cautious",
    # dbt.log at info level: node results, warnings and errors with their messages. At dbt's
    # default (debug) it also logs every statement sent to DuckDB, a sizeable share of a
    # regional build (bench/README.md); set DBT_LOG_LEVEL_FILE=debug to see them.
    "DBT_LOG_LEVEL_FILE": "info",
}
for _name, _value in _PROCESS_ENV.items():
    os.environ.setdefault(_name, _value)


def _dbt_executable() -> str:
    """`nro-dbt` (nro_pipeline/dbt_command.py: dbt's CLI without its slow exit) installed beside
    this Python, so `.venv/bin/nro` works without activating the venv; else dbt itself (an
    install that predates `nro-dbt`)."""
    for name in ("nro-dbt", "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return shutil.which("nro-dbt") or shutil.which("dbt") or "dbt"


DBT_EXECUTABLE = _dbt_executable()


def _path(env: str, default: Path) -> Path:
    return Path(os.environ.get(env) or default).resolve()


def landing_dir() -> Path:
    return _path(LANDING_DIR_ENV, DEFAULT_LANDING_DIR)


def warehouse_path() -> Path:
    return _path(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)


def data_root() -> Path:
    """Where every output of a run goes: NRO_DATA_DIR, else the warehouse's own folder."""
    return _path(DATA_DIR_ENV, warehouse_path().parent)


def published_path() -> Path:
    return _path(PUBLISHED_ENV, data_root() / "published" / "nro_marts.duckdb")


def reports_dir() -> Path:
    return _path(REPORTS_DIR_ENV, data_root() / "reports")


def exports_dir() -> Path:
    return _path(EXPORTS_DIR_ENV, data_root() / "exports")


def public_dir() -> Path:
    """The public edition of each published year: its site and workbook (`nro publish`)."""
    return _path(PUBLIC_DIR_ENV, data_root() / "public")


def archive_dir() -> Path:
    return _path(ARCHIVE_DIR_ENV, data_root() / "archive")


def gx_docs_dir() -> Path:
    return _path(GX_DOCS_DIR_ENV, data_root() / "gx_docs")


def docs_dir() -> Path:
    return data_root() / "docs"


def dbt_target_dir() -> Path:
    """Where `dbt build` writes its artifacts: one folder per data root keeps dbt's partial
    parsing between runs, and pipelines on other warehouses never share it."""
    return _path(DBT_TARGET_DIR_ENV, data_root() / "dbt_target")


def dagster_home() -> Path:
    """The Dagster instance `nro run` and `nro dev` share: DAGSTER_HOME, else under the data root."""
    return _path(DAGSTER_HOME_ENV, data_root() / "dagster_home")


def duckdb_memory_limit() -> str:
    return os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_config() -> dict[str, str]:
    """The DuckDB settings of every connection the pipeline opens."""
    return {"memory_limit": duckdb_memory_limit()}


def report_workers() -> int:
    """Processes writing the years' reports and workbooks side by side (default: one per CPU, at
    most 4; each holds one year's pages, ≈ 0.3 GiB at national size)."""
    text = os.environ.get(REPORT_WORKERS_ENV)
    return max(int(text), 1) if text else min(os.cpu_count() or 1, 4)


def quarantine_policy_text() -> str:
    return (os.environ.get(QUARANTINE_POLICY_ENV) or "block").strip().lower()


def quarantine_max_share_text() -> str | None:
    return os.environ.get(QUARANTINE_MAX_SHARE_ENV)


def allow_shrink() -> bool:
    return os.environ.get(ALLOW_SHRINK_ENV) == "1"


def annual_cron() -> str:
    return os.environ.get(ANNUAL_CRON_ENV) or DEFAULT_ANNUAL_CRON


def progress_bar_wanted() -> bool:
    return sys.stdout.isatty() and not os.environ.get("CI")


def use_paths(landing: Path | None = None, warehouse: Path | None = None) -> None:
    """Command-line flags win over NRO_* variables: set them for this process and its children
    (dbt reads the warehouse path from NRO_WAREHOUSE in its profile)."""
    if landing:
        os.environ[LANDING_DIR_ENV] = str(landing.resolve())
    if warehouse:
        os.environ[WAREHOUSE_ENV] = str(warehouse.resolve())
