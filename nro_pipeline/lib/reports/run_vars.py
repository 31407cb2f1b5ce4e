"""The methodology parameters (dbt vars) the reports quote and draw.

The reports read the project defaults (`lib/contract/parameters.dbt_defaults`, the one reader of
`dbt_project/dbt_project.yml`); they do not read `marts.year_parameters` yet, so a run with
`nro run --var` overrides is described by its own words in `mart_low_results.rule_set`.
"""

from __future__ import annotations

from typing import Any

from nro_pipeline.lib.contract.parameters import dbt_defaults


def methodology_vars() -> dict[str, Any]:
    """Every var of dbt_project.yml except `years` (which a run sets, not a methodology)."""
    return dict(dbt_defaults())


def number(name: str) -> float:
    return float(methodology_vars()[name])
