"""Column generation: solve the LP over a few edges, add the edges that would improve it, repeat.

Nationally the admissible pairs number 10⁷, too many for one LP. The restricted LP starts from
each mentee's nearest partners; its duals `y_m` (mentee rows) and `z_p ≤ 0` (partner capacity
rows) price every admissible pair at `d_mp − y_m − z_p`. When no pair outside the LP has a
negative reduced cost, the restricted optimum is optimal for the full problem (LP optimality
conditions); otherwise each mentee's most negative pairs join the LP and it is solved again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nro_pipeline.lib.methods.partner_candidates import (
    DistanceBlock,
    DistanceBlocks,
    smallest_per_row,
)
from nro_pipeline.lib.methods.partner_flow_model import (
    Edges,
    FlowProblem,
    FlowSolution,
    solve_restricted_lp,
)


@dataclass(frozen=True)
class Pricing:
    """What a pricing pass needs besides the blocks and the duals."""

    active_position: np.ndarray  # per mentee row: its LP position, or -1
    key_width: int  # Edges.keys(key_width) names a pair
    tolerance: float  # reduced costs above −tolerance count as zero
    per_mentee: int  # at most this many new edges per mentee and block


@dataclass(frozen=True)
class ColumnGenerationResult:
    edges: Edges  # the edges of the last LP
    flow: np.ndarray  # its solution, 0 or 1 per edge
    rounds: int


def solve_by_column_generation(
    edges: Edges, blocks: DistanceBlocks, problem: FlowProblem, pricing: Pricing
) -> ColumnGenerationResult:
    if problem.mentees == 0:
        return ColumnGenerationResult(edges, np.zeros(0, dtype=np.int64), 0)
    in_lp = np.unique(edges.keys(pricing.key_width))  # sorted pair keys
    rounds = 0
    while True:
        rounds += 1
        solution = solve_restricted_lp(edges, problem)
        new = Edges.joined(
            [
                part
                for block in blocks
                if (part := _improving_edges(block, solution, in_lp, pricing)) is not None
            ]
        )
        if len(new) == 0:
            return ColumnGenerationResult(edges, solution.flow, rounds)
        in_lp = np.union1d(in_lp, new.keys(pricing.key_width))
        edges = Edges.joined([edges, new])


def pricing_tolerance(big_m: float) -> float:
    return 1e-9 * big_m + 1e-7


def _improving_edges(
    block: DistanceBlock, solution: FlowSolution, in_lp: np.ndarray, pricing: Pricing
) -> Edges | None:
    """Per mentee of the block, its most negative reduced costs among pairs not yet in the LP."""
    rows, partners, distances = block
    positions = pricing.active_position[rows]
    reduced = (
        distances
        - solution.mentee_duals[positions][:, None]
        - solution.partner_duals[partners][None, :]
    )
    negative = reduced < -pricing.tolerance
    if not negative.any():
        return None
    row_of, column_of = np.nonzero(negative)
    known = np.isin(
        positions[row_of] * pricing.key_width + partners[column_of], in_lp, assume_unique=False
    )
    negative[row_of[known], column_of[known]] = False
    if not negative.any():
        return None
    candidates = np.where(negative, reduced, np.inf)
    best = smallest_per_row(candidates, min(pricing.per_mentee, partners.size))
    taken = np.isfinite(np.take_along_axis(candidates, best, axis=1))
    taken_rows, taken_columns = np.nonzero(taken)[0], best[taken]
    return Edges(
        mentee=positions[taken_rows],
        partner=partners[taken_columns],
        distance_km=distances[taken_rows, taken_columns],
    )
