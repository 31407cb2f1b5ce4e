"""The Dagster instance the project runs in: one folder, one run history, our settings in force.

`nro run` and `nro dev` both use `settings.dagster_home()` (DAGSTER_HOME, else
`<data root>/dagster_home`), and make sure its dagster.yaml holds the settings below — also in a
DAGSTER_HOME the user chose, where Dagster would otherwise ignore the repository's dagster.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef

# The run queue starts one run at a time: a second run launched from the UI (or by the schedule, a
# sensor, a backfill) waits in the queue instead of in a worker process. What keeps writers apart
# is the warehouse lock (lib/publish/working_copy.py), which every run takes, however started.
# Nothing calls home.
INSTANCE_SETTINGS: dict[str, Any] = {
    "telemetry": {"enabled": False},
    "nux": {"enabled": False},
    "concurrency": {"runs": {"max_concurrent_runs": 1}},
}

EVENT_LOG_MODULE = "nro_pipeline.instance.event_log_storage"
# Where the module lived before; a home written then is still ours, and is brought up to date.
_FORMER_EVENT_LOG_MODULES = {"nro_pipeline.defs.event_log_storage", EVENT_LOG_MODULE}


def pooled_event_log(home: Path) -> dict[str, Any]:
    """Dagster's SQLite event log with pooled connections (instance/event_log_storage.py): a run
    writes thousands of events, and the stock storage opens a new connection for each statement.
    Not in the repository's dagster.yaml, whose `dagster dev` has no home to put it under."""
    return {
        "module": EVENT_LOG_MODULE,
        "class": "PooledSqliteEventLogStorage",
        "config": {"dagster_home": str(home)},
    }


def home_settings(home: Path, current: dict[str, Any]) -> dict[str, Any]:
    """What an instance home's dagster.yaml must hold, given what it holds now."""
    own_storage = any(key in current for key in ("storage", "run_storage", "schedule_storage"))
    event_log = current.get("event_log_storage")
    own_event_log = event_log is not None and (
        not isinstance(event_log, dict) or event_log.get("module") not in _FORMER_EVENT_LOG_MODULES
    )
    if own_storage or own_event_log:
        return INSTANCE_SETTINGS  # the user's storage stays theirs
    return {**INSTANCE_SETTINGS, "event_log_storage": pooled_event_log(home)}


def ensure_instance_home(home: Path) -> list[str]:
    """Write or complete `<home>/dagster.yaml`; returns the settings it had to change."""
    home.mkdir(parents=True, exist_ok=True)
    config_file = home / "dagster.yaml"
    current: dict[str, Any] = {}
    if config_file.exists():
        current = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    wanted = home_settings(home.resolve(), current)
    changed = [key for key, value in wanted.items() if current.get(key) != value]
    if changed or not config_file.exists():
        merged = {**current, **wanted}
        header = "# Written by nro (nro_pipeline/instance/home.py): one run at a time, offline.\n"
        config_file.write_text(header + yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    return changed


# Runs that `nro run` executes in its own process keep no copy of their stdout: `nro run` shows or
# keeps dbt's lines itself, and Dagster's capture would start `tail` and watcher processes per
# run, which a Ctrl-C in the terminal reaches too (each printing a traceback). Runs launched from
# the UI keep the instance's own compute logs.
_IN_PROCESS_OVERRIDES: dict[str, Any] = {
    "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager",
        "class": "NoOpComputeLogManager",
    }
}


def open_instance(home: Path, in_process: bool = False) -> dg.DagsterInstance:
    """The project's persistent instance at `home` (its runs show in `nro dev`); `in_process`: for
    the runs a command executes in its own process."""
    ensure_instance_home(home)
    if not in_process:
        return dg.DagsterInstance.from_config(str(home))
    ref = InstanceRef.from_dir(str(home), overrides=_IN_PROCESS_OVERRIDES)
    return dg.DagsterInstance.from_ref(ref)
