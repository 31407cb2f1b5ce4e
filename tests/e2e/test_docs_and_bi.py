"""The README's BI example works on a real snapshot; `nro docs` writes the dbt docs site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from nro_pipeline.lib.publish.snapshot import publish_marts
from tests.support.run import RunResult

ROOT = Path(__file__).resolve().parents[2]


def _bi_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bi-example", 1)[1]
    return re.search(r"```bash\n(.*?)```", block, re.S).group(1)


def test_readme_bi_example_reads_the_snapshot(
    region_run: tuple[Path, RunResult], tmp_path: Path
) -> None:
    warehouse, _ = region_run
    snapshot = tmp_path / "data" / "warehouse" / "published" / "nro_marts.duckdb"
    publish_marts(warehouse, snapshot)
    script = _bi_example().replace(".venv/bin/python", sys.executable)
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "T_C1" in done.stdout and "T_C2" in done.stdout  # both on the 2024 list
    assert "критерий 1" in done.stdout


def test_nro_docs_writes_a_static_site(region_run: tuple[Path, RunResult], tmp_path: Path) -> None:
    # dbt opens the warehouse for writing: a copy, so that other workers can read the shared one
    warehouse = tmp_path / "nro.duckdb"
    shutil.copy(region_run[0], warehouse)
    nro = Path(sys.executable).with_name("nro")
    done = subprocess.run(
        [str(nro), "docs", "--warehouse", str(warehouse), "--out", str(tmp_path / "docs")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    # The page embeds the manifest as JSON, Cyrillic escaped.
    russian = "Отбор школ с низкими".encode("unicode_escape").decode()
    assert "mart_low_results" in page and russian in page
