"""What the partner assignment reads: its parameters and the schools, taken from model rows.

Rows come from pandas (`DataFrame.to_dict("records")`), so a missing value may be None, NaN or a
pandas NA; each is read as "unknown" here, without importing pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LEVEL_RANK: dict[str, int] = {"NOO": 1, "OOO": 2, "SOO": 3}
LEVEL_RU: dict[int, str] = {1: "НОО", 2: "ООО", 3: "СОО"}


@dataclass(frozen=True)
class PartnerParams:
    """Parameters of the assignment (dbt vars of the same names)."""

    partners_per_school: int = 1
    partner_capacity: int = 3
    same_municipality_km: float = 25.0
    other_municipality_km: float = 250.0
    exclusion_years: int = 3  # only used in the wording of the reasons
    # The region's own partner conditions (docs/methodology.md, «Варианты методики и пресеты»),
    # checked by the caller (School.partner_eligible); here only for the wording of the reasons.
    high_years: int = 1  # partner_high_years: result level high in each of Y-n+1 … Y
    resilient_only: bool = False  # partner_pool = resilient
    # Size of the initial candidate set per mentee (column generation); does not change the result.
    candidates_per_mentee: int = 16
    chunk_cells: int = 4_000_000  # mentee × partner cells computed at once
    kept_cells: int = 32_000_000  # distances kept between pricing rounds up to this (256 MiB)

    def __post_init__(self) -> None:
        if self.partners_per_school < 1:
            raise ValueError("partners_per_school must be >= 1")
        if self.partner_capacity < 1:
            raise ValueError("partner_capacity must be >= 1")
        if self.same_municipality_km < 0 or self.other_municipality_km < 0:
            raise ValueError("fallback distances must be non-negative")


@dataclass(frozen=True)
class School:
    """A school as the assignment sees it (mentee or candidate partner)."""

    school_id: str
    municipality: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    levels: str | Iterable[str] | None = None  # "NOO,OOO,SOO" or an iterable of codes
    isbsh_quintile: int | None = None
    result_level: str | None = None  # low / medium / high
    recently_listed: bool = False  # on the initial list in any of Y-2 … Y
    # The region's own partner conditions as the caller checked them (stably high results,
    # resilient cluster; docs/methodology.md); True under the federal method.
    partner_eligible: bool = True
    # Why a mentee is one: "list" (the initial list) or "unfavourable" (social status, not
    # listed). An unfavourable mentee may partner other mentees too, never itself.
    mentee_reason: str | None = None

    @property
    def highest_level(self) -> int:
        return highest_level(self.levels)


def highest_level(levels: str | Iterable[str] | None) -> int:
    """0 when unknown, else 1 (NOO), 2 (OOO) or 3 (SOO)."""
    if levels is None:
        return 0
    if isinstance(levels, str):
        items: Iterable[str] = levels.replace(";", ",").split(",")
    else:
        items = levels
    ranks = [LEVEL_RANK.get(str(x).strip().upper(), 0) for x in items if x is not None]
    return max(ranks, default=0)


def as_school(row: School | Mapping[str, Any]) -> School:
    """A School from a model row (a mapping with the field names), or the School itself."""
    if isinstance(row, School):
        return row
    latitude, longitude = float_or_nan(row.get("latitude")), float_or_nan(row.get("longitude"))
    return School(
        school_id=str(row.get("school_id")),
        municipality=clean_text(row.get("municipality")),
        latitude=None if math.isnan(latitude) else latitude,
        longitude=None if math.isnan(longitude) else longitude,
        levels=clean_text(row.get("levels")),
        isbsh_quintile=int_or_zero(row.get("isbsh_quintile")) or None,
        result_level=clean_text(row.get("result_level")),
        recently_listed=flag(row.get("recently_listed")),
        partner_eligible=flag(row.get("partner_eligible", True)),
        mentee_reason=clean_text(row.get("mentee_reason")),
    )


def is_missing(value: Any) -> bool:
    """None, NaN, pandas NA/NaT (without importing pandas)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and math.isnan(value)


def float_or_nan(value: Any) -> float:
    if is_missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def int_or_zero(value: Any) -> int:
    number = float_or_nan(value)
    return 0 if math.isnan(number) else int(number)


def flag(value: Any) -> bool:
    return False if is_missing(value) else bool(value)


def clean_text(value: Any) -> str | None:
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None
