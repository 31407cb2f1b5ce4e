"""The ingest, validate and contract modules stay small enough to read in one sitting.

(Which of them may import which, and that none import each other in a cycle, is the import
contracts' job: pyproject.toml [tool.importlinter], tests/unit/test_import_contracts.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "nro_pipeline" / "lib"
SMALL_AREAS = ("contract", "ingest", "validate")
MAX_LINES = 400


@pytest.mark.parametrize("area", SMALL_AREAS)
def test_modules_stay_under_400_lines(area: str) -> None:
    long = {
        p.name: n
        for p in (LIB / area).glob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
