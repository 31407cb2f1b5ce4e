"""`nro docs`: the dbt documentation site (Russian descriptions, lineage) as one static HTML file."""

import os
import shutil
import subprocess
from pathlib import Path

from nro_pipeline import settings

STATIC_PAGE = "static_index.html"


def generate_docs(warehouse: Path, out_dir: Path) -> Path:
    """Run `dbt docs generate --static` against the warehouse; return the page written."""
    target = out_dir / "dbt_target"
    env = {
        **os.environ,
        settings.WAREHOUSE_ENV: str(warehouse),
        settings.DBT_WAREHOUSE_ENV: str(warehouse),
    }
    done = subprocess.run(
        [
            settings.DBT_EXECUTABLE,
            "docs",
            "generate",
            "--static",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(target),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    page = out_dir / "index.html"
    shutil.copyfile(target / STATIC_PAGE, page)
    return page
