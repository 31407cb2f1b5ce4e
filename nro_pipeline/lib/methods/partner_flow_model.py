"""The assignment as a min-cost flow, solved as an LP over a (restricted) set of edges.

source → mentee (capacity `partners_per_school`); mentee → partner (capacity 1, cost = distance);
partner → sink (capacity `partner_capacity`); mentee → sink "unmatched" (cost `big_m`, larger than
any saving in distance, so that matching more always wins). The constraint matrix is a network
matrix (totally unimodular), so the basic optimum that the HiGHS dual simplex returns is integral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


@dataclass(frozen=True)
class Edges:
    """Mentee → partner arcs of the LP, one entry per arc in each array."""

    mentee: np.ndarray  # position of the mentee among the mentees with an admissible partner
    partner: np.ndarray  # index of the partner in the pool
    distance_km: np.ndarray

    def __len__(self) -> int:
        return int(self.mentee.size)

    def keys(self, pool_size: int) -> np.ndarray:
        """One integer per (mentee, partner) pair, to test which pairs are already in the LP."""
        return self.mentee * pool_size + self.partner

    @staticmethod
    def joined(parts: Sequence[Edges]) -> Edges:
        if not parts:
            return Edges(
                np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=float)
            )
        return Edges(
            np.concatenate([part.mentee for part in parts]),
            np.concatenate([part.partner for part in parts]),
            np.concatenate([part.distance_km for part in parts]),
        )


@dataclass(frozen=True)
class FlowProblem:
    """The sizes and capacities of the network; the arcs between mentees and partners vary."""

    mentees: int  # mentees with at least one admissible partner
    pool_size: int
    partners_per_school: int
    partner_capacity: int
    big_m: float  # cost of one unmatched slot


@dataclass(frozen=True)
class FlowSolution:
    flow: np.ndarray  # 0 or 1 per edge
    mentee_duals: np.ndarray  # one per mentee row (Σ x + unmatched = partners_per_school)
    partner_duals: np.ndarray  # one per partner capacity row, ≤ 0


def unmatched_cost(slots: int, longest_km: float) -> float:
    """The big-M: one more match is worth more than every distance of every slot together."""
    return slots * max(longest_km, 1.0) + 1.0


def solve_restricted_lp(edges: Edges, problem: FlowProblem) -> FlowSolution:
    """The LP over these edges plus one "unmatched" variable per mentee."""
    n_edges, n_mentees = len(edges), problem.mentees
    n_vars = n_edges + n_mentees
    slots = float(problem.partners_per_school)
    costs = np.concatenate([edges.distance_km, np.full(n_mentees, problem.big_m)])
    # per mentee: Σ x_e + unmatched_m = partners_per_school
    rows = np.concatenate([edges.mentee, np.arange(n_mentees)])
    a_eq = sparse.csr_matrix(
        (np.ones(n_vars), (rows, np.arange(n_vars))), shape=(n_mentees, n_vars)
    )
    # per partner: Σ x_e ≤ partner_capacity
    a_ub = sparse.csr_matrix(
        (np.ones(n_edges), (edges.partner, np.arange(n_edges))), shape=(problem.pool_size, n_vars)
    )
    upper = np.concatenate([np.ones(n_edges), np.full(n_mentees, slots)])
    solved = linprog(
        costs,
        A_ub=a_ub,
        b_ub=np.full(problem.pool_size, float(problem.partner_capacity)),
        A_eq=a_eq,
        b_eq=np.full(n_mentees, slots),
        bounds=np.column_stack([np.zeros(n_vars), upper]),
        method="highs-ds",
    )
    if solved.status != 0:  # pragma: no cover - the problem is always feasible (all unmatched)
        raise RuntimeError(f"partner assignment LP failed: {solved.message}")
    x = np.asarray(solved.x)
    if np.any(np.abs(x - np.round(x)) > 1e-6):  # pragma: no cover - TU guarantees integrality
        raise RuntimeError("partner assignment LP returned a fractional solution")
    return FlowSolution(
        flow=np.round(x).astype(np.int64)[:n_edges],
        mentee_duals=np.asarray(solved.eqlin.marginals),
        partner_duals=np.asarray(solved.ineqlin.marginals),
    )
