"""The methodology parameters (dbt vars) the reports quote and draw.

The warehouse does not record the vars of the run that built it, so the reports read the project
defaults from `dbt_project/dbt_project.yml`, the one place they are declared. A run with
`nro run --var` overrides is still described by its own words in `mart_low_results.rule_set`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from nro_pipeline import settings


@cache
def methodology_vars() -> dict[str, Any]:
    """Every var of dbt_project.yml except `years` (which a run sets, not a methodology)."""
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
    return {name: value for name, value in project["vars"].items() if name != "years"}


def number(name: str) -> float:
    return float(methodology_vars()[name])
