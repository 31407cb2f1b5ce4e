"""Optimal partner (стажировочная) school assignment (docs/methodology.md, «Методика и параметры»).

Every school of the initial list (a *mentee*) gets up to ``partners_per_school`` partners. A
partner is *admissible* for a mentee when it

* has result level ``high``,
* was not on the initial list in any of the years Y-2 … Y (``recently_listed``; the caller
  computes it from var ``partner_exclusion_years``),
* is in the same ISBSh quintile as the mentee or one quintile lower (harder conditions),
* offers at least the mentee's highest level of education (NOO < OOO < SOO, compared by highest
  level), and
* serves at most ``partner_capacity`` mentees (a capacity, not an admissibility rule).

A region's own method (docs/methodology.md, «Варианты методики и пресеты») adds conditions the
caller checks (``School.partner_eligible``: stably high results, the resilient cluster) and may
add mentees for their unfavourable social status (``School.mentee_reason``); such a mentee may
partner other mentees, never itself. The assignment below is the same one over them.

Objective (lexicographic): first maximise the number of matched (mentee, slot) pairs, then
minimise the total distance. The distance is the great-circle distance (haversine, mean Earth
radius) between the coordinates; where either school lacks them, ``same_municipality_km`` within
the same municipality and ``other_municipality_km`` across municipalities. A mentee never gets
the same partner twice.

Algorithm
---------
The problem is a min-cost flow (source → mentee, capacity ``partners_per_school``; mentee →
partner, capacity 1, cost = distance; partner → sink, capacity ``partner_capacity``; mentee →
sink "unmatched" arc with the big-M cost ``M = slots × D_max + 1``, which makes any extra match
worth more than any possible saving in distance, so the optimum is lexicographic). Its
constraint matrix is a network matrix (totally unimodular), so a *basic* optimal solution of the
LP relaxation is integral: we solve the LP with the HiGHS dual simplex (``scipy.optimize.linprog``,
``method="highs-ds"``) and read the integral vertex.

At national scale (≈40 000 schools, a few thousand mentees, ≈10 000 high-result candidates) the
full admissible edge set has 10⁷ edges — too many for an LP. We therefore use *column
generation* (delayed pricing), which keeps the result exact:

1. Restricted problem: for every mentee only its ``candidates_per_mentee`` nearest admissible
   partners (computed in vectorised chunks, grouped by the mentee's (quintile, level) type, since
   admissibility depends only on the type).
2. Solve the restricted LP; take the duals ``y_m`` (mentee rows) and ``z_p ≤ 0`` (partner capacity
   rows).
3. Pricing: scan *all* admissible (mentee, partner) pairs in chunks and compute the reduced cost
   ``d_mp − y_m − z_p``. If none is negative, the restricted optimum is optimal for the full
   problem (LP optimality conditions) and we stop; otherwise add, per mentee, the most negative
   pairs and go to 2.

Complexity: each pricing pass is O(mentees × admissible candidates) vectorised numpy work; the LP
has O(mentees × k) columns, small for HiGHS; in practice one to three rounds are needed (measured
sizes and times: bench/README.md, «Where the time goes»). Memory is bounded by the chunk size.

Determinism: inputs are sorted by ``school_id`` before solving; among equally good assignments
(e.g. all distances 25 km by the fallback rule) the solver's choice is deterministic for the same
input but otherwise arbitrary.

Where each part lives (all pure Python, numpy/scipy; nothing about dbt or DuckDB):
``partner_schools`` (parameters, schools read from model rows), ``partner_distances`` (the
distance rule, vectorised), ``partner_candidates`` (admissibility by mentee type, distance blocks,
nearest candidates), ``partner_flow_model`` (the LP), ``partner_column_generation`` (pricing
rounds), ``partner_rows`` and ``partner_reasons`` (the result rows and their Russian reasons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nro_pipeline.lib.methods.partner_candidates import (
    DistanceBlocks,
    admissibility,
    nearest_candidates,
    partner_pool,
    sorted_mentees,
)
from nro_pipeline.lib.methods.partner_column_generation import (
    Pricing,
    pricing_tolerance,
    solve_by_column_generation,
)
from nro_pipeline.lib.methods.partner_distances import EARTH_RADIUS_KM, haversine_km, school_arrays
from nro_pipeline.lib.methods.partner_flow_model import FlowProblem, unmatched_cost
from nro_pipeline.lib.methods.partner_rows import (
    HORIZONTAL,
    VERTICAL,
    AssignmentResult,
    PartnerMatch,
    assignment_result,
    chosen_partners,
    match_rows,
)
from nro_pipeline.lib.methods.partner_schools import (
    LEVEL_RANK,
    LEVEL_RU,
    PartnerParams,
    School,
    highest_level,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "HORIZONTAL",
    "LEVEL_RANK",
    "LEVEL_RU",
    "VERTICAL",
    "AssignmentResult",
    "PartnerMatch",
    "PartnerParams",
    "School",
    "assign_partners",
    "haversine_km",
    "highest_level",
]


def assign_partners(
    mentees: Sequence[School | Mapping[str, Any]],
    schools: Sequence[School | Mapping[str, Any]],
    params: PartnerParams | None = None,
) -> AssignmentResult:
    """Assign partners to ``mentees`` among ``schools`` (all schools of the year; the admissibility
    filters are applied here). Returns one :class:`PartnerMatch` per mentee and rank
    1 … ``partners_per_school``: matched ranks first (ordered by distance), then the unmatched
    ranks with ``partner_id = None`` and the reason."""
    params = params or PartnerParams()
    mentee_list = sorted_mentees(mentees)
    listed = {m.school_id for m in mentee_list if m.mentee_reason != "unfavourable"}
    pool_list = partner_pool(schools, listed)
    municipality_codes: dict[str, int] = {}
    mentee_arrays = school_arrays(mentee_list, municipality_codes)
    pool = school_arrays(pool_list, municipality_codes)

    admissible = admissibility(mentee_arrays, pool)
    blocks = DistanceBlocks(mentee_arrays, pool, admissible, params)
    per_mentee = max(params.candidates_per_mentee, params.partners_per_school + 1)
    edges, longest_km = nearest_candidates(blocks, per_mentee, admissible.active_position)
    big_m = unmatched_cost(int(admissible.active.size) * params.partners_per_school, longest_km)
    problem = FlowProblem(
        mentees=int(admissible.active.size),
        pool_size=len(pool.ids),
        partners_per_school=params.partners_per_school,
        partner_capacity=params.partner_capacity,
        big_m=big_m,
    )
    pricing = Pricing(
        active_position=admissible.active_position,
        key_width=max(len(pool.ids), 1),
        tolerance=pricing_tolerance(big_m),
        per_mentee=per_mentee,
    )
    solved = solve_by_column_generation(edges, blocks, problem, pricing)

    chosen = chosen_partners(solved.edges, solved.flow, pool)
    matches = match_rows(mentee_arrays, pool, admissible, chosen, params)
    return assignment_result(matches, solved.rounds, len(solved.edges), mentee_arrays, admissible)
