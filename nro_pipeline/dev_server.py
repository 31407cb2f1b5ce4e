"""`nro dev`: the Dagster UI and daemon on the project's own instance.

The instance folder (`settings.dagster_home()`) is the one `nro run` records its runs in, and its
dagster.yaml carries the project's settings (one run at a time, pools, telemetry off) even when
the user set DAGSTER_HOME. Landed year folders are registered as partitions before the UI opens.
"""

from __future__ import annotations

import os
import sys

from nro_pipeline import settings
from nro_pipeline.defs.instance import open_instance
from nro_pipeline.defs.partitions import register_landed_years


def start_dagster_dev(dagster_args: list[str]) -> int:
    instance = open_instance()
    added = register_landed_years(instance)
    instance.dispose()
    home = settings.dagster_home()
    print(f"nro dev: Dagster instance {home}; warehouse {settings.warehouse_path()}", flush=True)
    if added:
        print(f"nro dev: results years added as partitions: {', '.join(added)}", flush=True)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    workspace = str(settings.PROJECT_ROOT / "workspace.yaml")
    os.chdir(settings.PROJECT_ROOT)
    # Replace this process, so Ctrl-C and signals reach dagster dev directly.
    os.execv(dagster, [dagster, "dev", "-w", workspace, *dagster_args])
    return 0  # not reached
