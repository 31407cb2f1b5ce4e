"""The partner rules written plainly, one pair of schools at a time.

The rules: docs/methodology.md, «Методика и параметры», «Школы-партнёры».

The oracle the optimised assignment (nro_pipeline/lib/methods/partner_*.py, vectorised by mentee
type) is checked against; the product never calls it.
"""

from __future__ import annotations

import numpy as np

from nro_pipeline.lib.methods.partner_assignment import PartnerParams, School, haversine_km


def is_admissible(mentee: School, partner: School) -> bool:
    """The admissibility rule alone (capacity aside)."""
    return (
        partner.school_id != mentee.school_id
        and partner.result_level == "high"
        and not partner.recently_listed
        and mentee.isbsh_quintile is not None
        and partner.isbsh_quintile is not None
        and partner.isbsh_quintile in (mentee.isbsh_quintile, mentee.isbsh_quintile - 1)
        and mentee.highest_level > 0
        and partner.highest_level >= mentee.highest_level
    )


def distance_km(a: School, b: School, params: PartnerParams | None = None) -> float:
    """The rule's distance between two schools (haversine or the municipality fallback)."""
    params = params or PartnerParams()
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        same = a.municipality is not None and a.municipality == b.municipality
        return params.same_municipality_km if same else params.other_municipality_km
    return float(
        haversine_km(
            np.array(a.latitude, dtype=float),
            np.array(a.longitude, dtype=float),
            np.array(b.latitude, dtype=float),
            np.array(b.longitude, dtype=float),
        )
    )
