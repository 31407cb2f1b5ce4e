"""The import rules of pyproject.toml ([tool.importlinter]) hold, and `lint-imports` notices when
one is broken.

The contracts: `cli` above the Dagster side (`commands`, `definitions`, `defs`, `instance`) above
`lib` above `settings`; `lib` never imports Dagster; the packages of `lib` in layers
(`run_outputs` → `reports` → `publish | validate | sample | methods` → `ingest` → `contract`);
no import cycle between sibling modules or packages anywhere in `nro_pipeline` (a function-local
or TYPE_CHECKING import counts: it hides a cycle, it does not remove it).

A planted violation is written into a copy of the package in a temporary folder, which goes first
on the path of the `lint-imports` process; the repository is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# (where the planted module goes, what it imports, the contract that must then break)
PLANTED = {
    "lib imports reports from publish": (
        "lib/publish/planted.py",
        "from nro_pipeline.lib.reports.sheets import LIST_SHEET\n",
        ["lib: run_outputs -> reports", "No cycles are allowed in nro_pipeline.lib."],
    ),
    "lib imports dagster": (
        "lib/contract/planted.py",
        "import dagster\n",
        ["lib never imports Dagster BROKEN"],
    ),
    "lib imports defs": (
        "lib/ingest/planted.py",
        "import nro_pipeline.defs\n",
        ["cli -> Dagster side"],
    ),
    "a module in no layer": (
        "planted.py",
        "",
        ["nro_pipeline.planted"],
    ),
}


@pytest.mark.parametrize("case", PLANTED)
def test_a_planted_violation_breaks_a_contract(case: str, tmp_path: Path) -> None:
    where, source, expected = PLANTED[case]
    copy = tmp_path / "nro_pipeline"
    shutil.copytree(
        ROOT / "nro_pipeline", copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (copy / where).write_text(f'"""Planted by {__name__}."""\n\n{source}', encoding="utf-8")

    result = _lint_imports(tmp_path, pythonpath=tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "broken" in output and "0 broken" not in output, output
    for text in expected:
        assert text in output, output
    assert not (ROOT / "nro_pipeline" / where).exists()
