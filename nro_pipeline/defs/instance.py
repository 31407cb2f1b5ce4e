"""The Dagster instance the project runs in: one folder, one run history, our settings in force.

`nro run` and `nro dev` both use `settings.dagster_home()` (DAGSTER_HOME, else
`<data root>/dagster_home`), and make sure its dagster.yaml holds the settings below — also in a
DAGSTER_HOME the user chose, where Dagster would otherwise ignore the repository's dagster.yaml.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from nro_pipeline import settings

# One run writes the warehouse at a time: the run queue starts the next one when it ends (runs
# also take the warehouse lock, so a run started any other way waits too). Steps that touch the
# DuckDB file share the pool nro_warehouse. Nothing calls home.
INSTANCE_SETTINGS: dict[str, Any] = {
    "telemetry": {"enabled": False},
    "nux": {"enabled": False},
    "concurrency": {"runs": {"max_concurrent_runs": 1}, "pools": {"default_limit": 1}},
}

# Dagster's SQLite event log with pooled connections (defs/event_log_storage.py): a run writes
# thousands of events, and the stock storage opens a new connection for each statement. Added to
# an instance home unless its dagster.yaml chooses its storage itself (e.g. PostgreSQL); not in
# the repository's dagster.yaml, whose `dagster dev` has no DAGSTER_HOME to put it under.
POOLED_EVENT_LOG: dict[str, Any] = {
    "module": "nro_pipeline.defs.event_log_storage",
    "class": "PooledSqliteEventLogStorage",
    "config": {"dagster_home": {"env": settings.DAGSTER_HOME_ENV}},
}


def home_settings(current: dict[str, Any]) -> dict[str, Any]:
    """What an instance home's dagster.yaml must hold, given what it holds now."""
    own_storage = any(key in current for key in ("storage", "run_storage", "schedule_storage"))
    own_event_log = current.get("event_log_storage", POOLED_EVENT_LOG) != POOLED_EVENT_LOG
    if own_storage or own_event_log:
        return INSTANCE_SETTINGS  # the user's storage stays theirs
    return {**INSTANCE_SETTINGS, "event_log_storage": POOLED_EVENT_LOG}


def ensure_instance_home(home: Path) -> list[str]:
    """Write or complete `<home>/dagster.yaml`; returns the settings it had to change."""
    home.mkdir(parents=True, exist_ok=True)
    config_file = home / "dagster.yaml"
    current: dict[str, Any] = {}
    if config_file.exists():
        current = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    wanted = home_settings(current)
    changed = [key for key, value in wanted.items() if current.get(key) != value]
    if changed or not config_file.exists():
        merged = {**current, **wanted}
        header = (
            "# Written by nro (nro_pipeline/defs/instance.py): these settings keep one writer.\n"
        )
        config_file.write_text(header + yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    return changed


def open_instance() -> dg.DagsterInstance:
    """The project's persistent instance (runs show in `nro dev`)."""
    home = settings.dagster_home()
    ensure_instance_home(home)
    os.environ[settings.DAGSTER_HOME_ENV] = str(home)
    return dg.DagsterInstance.get()
