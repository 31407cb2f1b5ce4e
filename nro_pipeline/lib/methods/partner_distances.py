"""Distances between schools by the partner rule, as numpy matrices over many schools at once.

The rule: docs/methodology.md, «Методика и параметры», «Школы-партнёры».

The great-circle distance (haversine, mean Earth radius) between the coordinates; where either
school lacks them, `same_municipality_km` within one municipality, else `other_municipality_km`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nro_pipeline.lib.methods.partner_schools import (
    PartnerParams,
    School,
    clean_text,
    float_or_nan,
    int_or_zero,
)

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (broadcasting); NaN where a coordinate is missing."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class SchoolArrays:
    """Schools as columns, for vectorised work; unknown values are coded, never None."""

    ids: list[str]
    latitude: np.ndarray  # NaN = unknown
    longitude: np.ndarray  # NaN = unknown
    municipality: np.ndarray  # int codes, -1 = unknown
    quintile: np.ndarray  # 0 = unknown
    level: np.ndarray  # highest level of education, 0 = unknown


def school_arrays(schools: Sequence[School], municipality_codes: dict[str, int]) -> SchoolArrays:
    """`municipality_codes` is shared by mentees and partners, so equal codes mean one place."""

    def code(municipality: str | None) -> int:
        if municipality is None:
            return -1
        return municipality_codes.setdefault(municipality, len(municipality_codes))

    return SchoolArrays(
        ids=[s.school_id for s in schools],
        latitude=np.array([float_or_nan(s.latitude) for s in schools], dtype=float),
        longitude=np.array([float_or_nan(s.longitude) for s in schools], dtype=float),
        municipality=np.array([code(clean_text(s.municipality)) for s in schools], dtype=np.int64),
        quintile=np.array([int_or_zero(s.isbsh_quintile) for s in schools], dtype=np.int64),
        level=np.array([s.highest_level for s in schools], dtype=np.int64),
    )


def distance_matrix(
    mentees: SchoolArrays,
    mentee_rows: np.ndarray,
    partners: SchoolArrays,
    partner_rows: np.ndarray,
    params: PartnerParams,
) -> np.ndarray:
    """Distances in km, len(mentee_rows) × len(partner_rows), by the partner rule."""
    distances = haversine_km(
        mentees.latitude[mentee_rows][:, None],
        mentees.longitude[mentee_rows][:, None],
        partners.latitude[partner_rows][None, :],
        partners.longitude[partner_rows][None, :],
    )
    missing = np.isnan(distances)
    if missing.any():
        mentee_place = mentees.municipality[mentee_rows][:, None]
        partner_place = partners.municipality[partner_rows][None, :]
        same = (mentee_place == partner_place) & (mentee_place >= 0)
        fallback = np.where(same, params.same_municipality_km, params.other_municipality_km)
        distances = np.where(missing, fallback, distances)
    return distances
