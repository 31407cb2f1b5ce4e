"""`nro run --landing L --warehouse W`: everything the run writes goes beside the other warehouse,
and the project's default data folder stays as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nro_pipeline import settings
from tests.support.run import user_env


def test_a_run_on_another_warehouse_leaves_the_default_data_folder_as_it_was(
    planted_region: Path, tmp_path: Path
) -> None:
    default_data = settings.PROJECT_ROOT / "data"
    before = _snapshot_of(default_data)
    other = tmp_path / "other" / "nro.duckdb"
    env = user_env(planted_region, other)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("nro")),
            "run",
            "--years",
            "2024",
            "--landing",
            str(planted_region),
            "--warehouse",
            str(other),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _snapshot_of(default_data) == before
    # (GX Data Docs are written only for a file that breaks a rule: the sample's files do not)
    for output in ("published", "reports", "exports", "archive", "dagster_home"):
        assert (other.parent / output).exists(), output


def _snapshot_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
