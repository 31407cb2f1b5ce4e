"""The methodology parameters a run may override (`nro run --var NAME=VALUE`), with their ranges.

The names and defaults live in `dbt_project/dbt_project.yml` (vars); this module says which
values make sense, so a misspelt name or an impossible value stops the run before anything is
written. tests/unit/test_parameters.py fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from nro_pipeline import settings


@dataclass(frozen=True)
class Parameter:
    kind: str  # "int", "number" or "choice"
    low: float | None = None  # smallest allowed value
    high: float | None = None  # largest allowed value
    low_open: bool = False  # the smallest value itself is not allowed
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "choice":
            return " | ".join(self.choices)
        left = "(" if self.low_open else "["
        high = "∞" if self.high is None else f"{self.high:g}"
        return f"{self.kind} in {left}{self.low:g}, {high}]"

    def problem(self, value: Any) -> str | None:
        if self.kind == "choice":
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number ({self.describe()})"
        if self.kind == "int" and not float(value).is_integer():
            return f"must be a whole number ({self.describe()})"
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and value > self.high
        return f"is out of range: {self.describe()}" if too_low or too_high else None


SHARE = Parameter("number", 0, 1, low_open=True)
SHARE_OR_ZERO = Parameter("number", 0, 1)
COUNT = Parameter("int", 1)
KM = Parameter("number", 0)
YEARS = Parameter("int", 1, 20)
GRADE = Parameter("int", 4, 8)

PARAMETERS: dict[str, Parameter] = {
    "low_share_threshold": SHARE,
    "min_participants": COUNT,
    "criterion1_min_procedures": COUNT,
    "persistence_years": YEARS,
    "persistence_window_years": YEARS,
    "isbsh_method": Parameter("choice", choices=("ols", "fixed")),
    "result_level_high": SHARE,
    "result_level_low": SHARE,
    "partners_per_school": COUNT,
    "partner_capacity": COUNT,
    "partner_exclusion_years": YEARS,
    "partner_distance_same_municipality_km": KM,
    "partner_distance_other_municipality_km": KM,
    "dynamics_threshold": SHARE_OR_ZERO,
    "cohort_first_grade": GRADE,
    "cohort_last_grade": GRADE,
    "risk_vacancy_rate": SHARE_OR_ZERO,
    "risk_internet_mbps": KM,
    "risk_computers_per_100": KM,
    "risk_remote_km": KM,
    # SPEC §3a
    "criterion2_mode": Parameter("choice", choices=("any_procedure", "same_procedure")),
    "flag_confidence_level": Parameter("number", 0, 1, low_open=True),
    "similar_schools_count": COUNT,
    "benchmark_low": SHARE_OR_ZERO,
    "benchmark_high": SHARE_OR_ZERO,
    "objectivity_excess": SHARE_OR_ZERO,
    "objectivity_gap": SHARE_OR_ZERO,
    "objectivity_jump": SHARE_OR_ZERO,
}
RUN_MANAGED = {"years"}  # set by the run from its partitions, never by hand


@cache
def dbt_defaults() -> dict[str, Any]:
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
    return {k: v for k, v in project["vars"].items() if k not in RUN_MANAGED}


def known_parameters() -> dict[str, Parameter]:
    """The parameters this dbt project has (names in both places), with their ranges."""
    return {name: PARAMETERS[name] for name in dbt_defaults() if name in PARAMETERS}


def parameter_problems(overrides: dict[str, Any]) -> list[str]:
    """Every reason these overrides cannot run, in plain words (empty when they can)."""
    known = known_parameters()
    problems = []
    for name, value in overrides.items():
        if name not in known:
            problems.append(f"unknown parameter {name!r}")
        elif (problem := known[name].problem(value)) is not None:
            problems.append(f"{name}={value!r} {problem}")
    merged = {**dbt_defaults(), **overrides}
    pairs = [
        ("result_level_low", "result_level_high"),
        ("cohort_first_grade", "cohort_last_grade"),
        ("benchmark_low", "benchmark_high"),
    ]
    for low, high in pairs:
        if low in merged and high in merged and not problems and merged[low] > merged[high]:
            problems.append(f"{low} ({merged[low]}) must not exceed {high} ({merged[high]})")
    return problems


def parameters_help() -> str:
    lines = [
        f"  {name:<40} {spec.describe():<28} default {dbt_defaults()[name]!r}"
        for name, spec in known_parameters().items()
    ]
    return "Known parameters (dbt_project.yml vars):\n" + "\n".join(lines)
