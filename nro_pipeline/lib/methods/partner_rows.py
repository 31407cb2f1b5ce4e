"""The result of the assignment: one row per mentee and rank, matched ranks first, nearest first."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nro_pipeline.lib.methods.partner_candidates import Admissibility
from nro_pipeline.lib.methods.partner_distances import SchoolArrays
from nro_pipeline.lib.methods.partner_flow_model import Edges
from nro_pipeline.lib.methods.partner_reasons import unmatched_reason
from nro_pipeline.lib.methods.partner_schools import PartnerParams

HORIZONTAL = "horizontal"  # the partner's highest level is the mentee's
VERTICAL = "vertical"  # the partner offers a higher level too


@dataclass(frozen=True)
class PartnerMatch:
    """One row of the result: mentee × rank."""

    school_id: str
    rank: int
    partner_id: str | None
    match_type: str | None
    distance_km: float | None
    reason: str | None


@dataclass
class AssignmentResult:
    matches: list[PartnerMatch]
    matched_slots: int
    total_distance_km: float
    pricing_rounds: int
    edges_in_lp: int
    admissible_counts: dict[str, int] = field(default_factory=dict)

    def pairs(self) -> set[tuple[str, str]]:
        return {(m.school_id, m.partner_id) for m in self.matches if m.partner_id is not None}


# (distance in km, partner id, partner index in the pool): sorted, nearest first
Chosen = tuple[float, str, int]


def chosen_partners(edges: Edges, flow: np.ndarray, pool: SchoolArrays) -> dict[int, list[Chosen]]:
    """The partners the LP chose, by mentee LP position."""
    chosen = np.flatnonzero(flow > 0) if flow.size else np.zeros(0, dtype=np.int64)
    by_mentee: dict[int, list[Chosen]] = {}
    for edge in chosen.tolist():
        partner = int(edges.partner[edge])
        by_mentee.setdefault(int(edges.mentee[edge]), []).append(
            (float(edges.distance_km[edge]), pool.ids[partner], partner)
        )
    return by_mentee


def match_rows(
    mentees: SchoolArrays,
    pool: SchoolArrays,
    admissible: Admissibility,
    chosen: dict[int, list[Chosen]],
    params: PartnerParams,
) -> list[PartnerMatch]:
    """Ranks 1 … partners_per_school of every mentee, in school_id order."""
    rows: list[PartnerMatch] = []
    for row, school_id in enumerate(mentees.ids):
        position = int(admissible.active_position[row])
        got = sorted(chosen.get(position, [])) if position >= 0 else []
        for rank, (distance, partner_id, partner) in enumerate(got, start=1):
            same_level = pool.level[partner] == mentees.level[row]
            match_type = HORIZONTAL if same_level else VERTICAL
            rows.append(PartnerMatch(school_id, rank, partner_id, match_type, distance, None))
        for rank in range(len(got) + 1, params.partners_per_school + 1):
            reason = unmatched_reason(
                rank,
                matched=len(got),
                admissible=int(admissible.counts[row]),
                quintile=int(mentees.quintile[row]),
                level=int(mentees.level[row]),
                pool=pool,
                params=params,
            )
            rows.append(PartnerMatch(school_id, rank, None, None, None, reason))
    return rows


def assignment_result(
    matches: list[PartnerMatch],
    rounds: int,
    edges_in_lp: int,
    mentees: SchoolArrays,
    admissible: Admissibility,
) -> AssignmentResult:
    matched = [m for m in matches if m.partner_id is not None]
    total = 0.0
    for m in matched:  # a running sum, not sum(): that compensates rounding since Python 3.12
        total += m.distance_km or 0.0
    return AssignmentResult(
        matches=matches,
        matched_slots=len(matched),
        total_distance_km=total,
        pricing_rounds=rounds,
        edges_in_lp=edges_in_lp,
        admissible_counts={
            school_id: int(admissible.counts[row]) for row, school_id in enumerate(mentees.ids)
        },
    )
