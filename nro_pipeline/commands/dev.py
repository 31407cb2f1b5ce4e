"""`nro dev`: the Dagster UI and daemon on the project's own instance, stopped whole by Ctrl-C.

The instance folder (`settings.dagster_home()`) is the one `nro run` records its runs in, and its
dagster.yaml carries the project's settings even when the user set DAGSTER_HOME. Landed year
folders are registered as partitions before the UI opens.

`dagster dev` starts a webserver, a daemon and code servers. On Ctrl-C it asks them to stop and
waits for them, which with this project's instance could take over a minute, and a child that
hangs outlives it. So `dagster dev` runs in a process group of its own: Ctrl-C (or SIGTERM)
passes the interrupt on to that group, and whatever is still running after `GRACE_SECONDS` is
killed, so the command ends within seconds with nothing of it left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from nro_pipeline import settings
from nro_pipeline.defs.partitions import register_landed_years
from nro_pipeline.instance.home import open_instance

GRACE_SECONDS = 6.0


def start_dagster_dev(dagster_args: list[str]) -> int:
    home = settings.dagster_home()
    instance = open_instance(home)
    added = register_landed_years(instance)
    instance.dispose()
    print(f"nro dev: Dagster instance {home}; warehouse {settings.warehouse_path()}", flush=True)
    if added:
        print(f"nro dev: results years added as partitions: {', '.join(added)}", flush=True)
    dagster = Path(sys.executable).with_name("dagster")
    workspace = settings.PROJECT_ROOT / "workspace.yaml"
    server = subprocess.Popen(
        [str(dagster), "dev", "-w", str(workspace), *dagster_args],
        cwd=settings.PROJECT_ROOT,
        env={**os.environ, settings.DAGSTER_HOME_ENV: str(home)},
        start_new_session=True,  # its own group: stopped as one below
    )
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping:
            stopping.append(signum)
            print("nro dev: stopping the Dagster UI and daemon …", flush=True)
            _signal_group(server.pid, signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while server.poll() is None and not stopping:
        time.sleep(0.2)
    deadline = time.monotonic() + GRACE_SECONDS
    while _group_alive(server.pid) and time.monotonic() < deadline:
        server.poll()  # reap dagster dev itself once it exits
        time.sleep(0.2)
    _signal_group(server.pid, signal.SIGKILL)
    server.wait()
    print("nro dev: stopped.", flush=True)
    return 0 if stopping else (server.returncode or 0)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
