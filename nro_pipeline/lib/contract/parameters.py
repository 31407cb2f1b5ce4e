"""The methodology parameters a run may override (`nro run --var NAME=VALUE`), with their ranges.

The names and defaults live in `dbt_project/dbt_project.yml` (vars); this module says which
values make sense, so a misspelt name or an impossible value stops the run before anything is
written. tests/unit/test_parameters.py fails when the two disagree.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from nro_pipeline import settings


@dataclass(frozen=True)
class Parameter:
    kind: str  # "int", "number", "choice" or "rows" (checked by `check`)
    low: float | None = None  # smallest allowed value
    high: float | None = None  # largest allowed value
    low_open: bool = False  # the smallest value itself is not allowed
    choices: tuple[str, ...] = ()
    optional: bool = False  # null is allowed (and means "not set")
    check: Callable[[Any], str | None] | None = None  # kind "rows": the problem of a value
    text: str = ""  # kind "rows": what the value is, for the help

    def describe(self) -> str:
        if self.kind == "rows":
            return self.text
        if self.kind == "choice":
            return " | ".join(self.choices)
        if self.low is None:
            return f"{self.kind} or null" if self.optional else self.kind
        left = "(" if self.low_open else "["
        high = "∞" if self.high is None else f"{self.high:g}"
        return f"{self.kind} in {left}{self.low:g}, {high}]"

    def problem(self, value: Any) -> str | None:
        if value is None and self.optional:
            return None
        if self.kind == "rows":
            return self.check(value) if self.check else None
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


def _seed_column(seed: str, column: str) -> tuple[str, ...]:
    with (settings.DBT_PROJECT_DIR / "seeds" / f"{seed}.csv").open(encoding="utf-8") as handle:
        return tuple(row[column] for row in csv.DictReader(handle))


def _procedure_list_problem(value: Any) -> str | None:
    """A selection given instead of seed procedures.in_selection: known procedure ids."""
    known = _seed_column("procedures", "procedure_id")
    if not isinstance(value, list) or not value:
        return "must be a list of procedure ids, e.g. [VPR_math_4, OGE_math]"
    unknown = [str(v) for v in value if v not in known]
    return f"names unknown procedures {', '.join(unknown)}" if unknown else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _weight_rows_problem(value: Any) -> str | None:
    """Rows given instead of seed isbsh_weights: {feature, weight[, mean, sd]} each."""
    known = _seed_column("isbsh_weights", "feature")
    if not isinstance(value, list) or not value:
        return "must be a list of rows {feature, weight, mean, sd}"
    for row in value:
        if not isinstance(row, dict) or row.get("feature") not in known:
            return f"has a row without a known feature: {row!r}"
        if not _number(row.get("weight")):
            return f"has a row without a numeric weight: {row!r}"
        mean, sd = row.get("mean"), row.get("sd")
        if (mean is None) != (sd is None) or (mean is not None and not _number(mean)):
            return f"has a row with only one of mean and sd, or a non-numeric one: {row!r}"
        if sd is not None and (not _number(sd) or sd <= 0):
            return f"has a row whose sd is not a positive number: {row!r}"
    return None


def _name_problem(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a name"


PROCEDURE_LIST = Parameter(
    "rows", optional=True, check=_procedure_list_problem, text="null | [procedure_id, …]"
)
WEIGHT_ROWS = Parameter(
    "rows", optional=True, check=_weight_rows_problem, text="null | [{feature, weight, mean, sd}]"
)
ISBSH_VALUE = Parameter("number", optional=True)

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
    # decision support (docs/methodology.md, «Поддержка решений»)
    "criterion2_mode": Parameter("choice", choices=("any_procedure", "same_procedure")),
    "flag_confidence_level": Parameter("number", 0, 1, low_open=True),
    "similar_schools_count": COUNT,
    "benchmark_low": SHARE_OR_ZERO,
    "benchmark_high": SHARE_OR_ZERO,
    "objectivity_excess": SHARE_OR_ZERO,
    "objectivity_gap": SHARE_OR_ZERO,
    "objectivity_jump": SHARE_OR_ZERO,
    # support outcomes: exit, escalation, the programme effect (docs/methodology.md)
    "exit_years": COUNT,
    "exit_min_gain": SHARE_OR_ZERO,
    "escalation_years": COUNT,
    "outcome_horizon_years": Parameter("int", 1, 10),
    "outcome_matches": COUNT,
    # regional variants and presets (docs/methodology.md, «Варианты методики и пресеты»)
    "selection_procedures": PROCEDURE_LIST,
    "result_level_scope": Parameter("choice", choices=("region", "social_status")),
    "social_status_method": Parameter("choice", choices=("quintile", "threshold")),
    "isbsh_unfavourable_max": ISBSH_VALUE,
    "isbsh_favourable_min": ISBSH_VALUE,
    "isbsh_fixed_weights": WEIGHT_ROWS,
    "isbsh_features": Parameter("choice", choices=("all", "significant")),
    "isbsh_feature_p": Parameter("number", 0, 1, low_open=True),
    "partner_pool": Parameter("choice", choices=("high_results", "resilient")),
    "partner_high_years": YEARS,
    "partner_mentees": Parameter("choice", choices=("list", "list_and_unfavourable")),
    "preset": Parameter("rows", optional=True, check=_name_problem, text="null | name"),
    # the public edition's disclosure control (docs/methodology.md, «Публичная версия»)
    "suppress_below": Parameter("int", 2, 100),
    "coding_below": Parameter("int", 2, 1000),
    "coding_low_share": SHARE_OR_ZERO,
    "coding_high_share": SHARE_OR_ZERO,
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
        ("suppress_below", "coding_below"),
        ("coding_low_share", "coding_high_share"),
    ]
    pairs.append(("isbsh_unfavourable_max", "isbsh_favourable_min"))
    for low, high in pairs:
        if merged.get(low) is None or merged.get(high) is None or problems:
            continue
        if merged[low] > merged[high]:
            problems.append(f"{low} ({merged[low]}) must not exceed {high} ({merged[high]})")
    return problems + threshold_problems(merged)


def threshold_problems(merged: dict[str, Any]) -> list[str]:
    """`social_status_method: threshold` needs both ISBSh bounds (docs/methodology.md)."""
    if merged.get("social_status_method") != "threshold":
        return []
    missing = [
        name
        for name in ("isbsh_unfavourable_max", "isbsh_favourable_min")
        if name in PARAMETERS and merged.get(name) is None
    ]
    if not missing:
        return []
    return [f"social_status_method=threshold needs {' and '.join(missing)} (numbers, ISBSh points)"]


def parameters_help() -> str:
    lines = [
        f"  {name:<40} {spec.describe():<28} default {dbt_defaults()[name]!r}"
        for name, spec in known_parameters().items()
    ]
    return "Known parameters (dbt_project.yml vars):\n" + "\n".join(lines)
