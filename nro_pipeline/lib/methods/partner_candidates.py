"""Who may partner whom, and the distances of those pairs, in blocks that fit in memory.

A school can be a partner at all when it has result level `high`, was not on the initial list
in Y-2 … Y, is not itself a mentee from the list, meets the region's own conditions
(`partner_eligible`), and has an ISBSh quintile and levels of education. A mentee supported for
its unfavourable status alone may partner others, never itself (its own pair is left out). Whether it
suits a given mentee then depends only on the mentee's *type* — its (quintile, highest level):
the partner's quintile is the mentee's or one lower, and its highest level is at least the
mentee's. So admissible partners are found once per type, not once per mentee.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nro_pipeline.lib.methods.partner_distances import SchoolArrays, distance_matrix
from nro_pipeline.lib.methods.partner_flow_model import Edges
from nro_pipeline.lib.methods.partner_schools import PartnerParams, School, as_school

QUINTILES = range(1, 6)
LEVELS = range(1, 4)  # NOO, OOO, SOO

# (mentee rows, admissible partner indices, their distance matrix)
DistanceBlock = tuple[np.ndarray, np.ndarray, np.ndarray]


def sorted_mentees(mentees: Iterable[School | Mapping[str, Any]]) -> list[School]:
    """By school_id, so that the solver sees the same input in the same order every time."""
    schools = sorted((as_school(m) for m in mentees), key=lambda s: s.school_id)
    ids = [s.school_id for s in schools]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate mentee school_id")
    return schools


def partner_pool(
    schools: Iterable[School | Mapping[str, Any]], mentee_ids: set[str]
) -> list[School]:
    """The schools that can partner some mentee, by school_id; `mentee_ids`: the mentees that may
    not partner anyone (those of the list)."""
    pool = sorted(
        (
            s
            for s in (as_school(x) for x in schools)
            if s.result_level == "high"
            and not s.recently_listed
            and s.partner_eligible
            and s.school_id not in mentee_ids
            and s.isbsh_quintile is not None
            and 1 <= s.isbsh_quintile <= 5
            and s.highest_level > 0
        ),
        key=lambda s: s.school_id,
    )
    ids = [s.school_id for s in pool]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate candidate school_id")
    return pool


@dataclass(frozen=True)
class Admissibility:
    """The admissible partners of every mentee, by mentee type."""

    members: dict[tuple[int, int], np.ndarray]  # type → mentee rows
    partners: dict[tuple[int, int], np.ndarray]  # type → admissible pool indices
    counts: np.ndarray  # per mentee row: how many admissible partners
    active: np.ndarray  # rows of the mentees with at least one
    active_position: np.ndarray  # per mentee row: its position among `active`, or -1
    itself: np.ndarray  # per mentee row: its own index in the pool (never its partner), or -1

    def cells(self) -> int:
        """Number of admissible (mentee, partner) pairs."""
        return sum(rows.size * self.partners[key].size for key, rows in self.members.items())


def admissibility(mentees: SchoolArrays, pool: SchoolArrays) -> Admissibility:
    members, partners = {}, {}
    in_pool = {school_id: index for index, school_id in enumerate(pool.ids)}
    itself = np.array([in_pool.get(school_id, -1) for school_id in mentees.ids], dtype=np.int64)
    for quintile in QUINTILES:
        for level in LEVELS:
            rows = np.flatnonzero((mentees.quintile == quintile) & (mentees.level == level))
            if rows.size == 0:
                continue
            members[(quintile, level)] = rows
            partners[(quintile, level)] = np.flatnonzero(
                ((pool.quintile == quintile) | (pool.quintile == quintile - 1))
                & (pool.level >= level)
            )
    counts = np.zeros(len(mentees.ids), dtype=np.int64)
    for key, rows in members.items():
        counts[rows] = partners[key].size - np.isin(itself[rows], partners[key])
    active = np.flatnonzero(counts > 0)
    active_position = np.full(len(mentees.ids), -1, dtype=np.int64)
    active_position[active] = np.arange(active.size)
    return Admissibility(members, partners, counts, active, active_position, itself)


class DistanceBlocks:
    """Every admissible pair's distance, block by block (at most `chunk_cells` per block).

    Every pricing round walks all blocks: they are kept when they fit `kept_cells`, instead of
    computing the same great-circle distances again each round."""

    def __init__(
        self,
        mentees: SchoolArrays,
        pool: SchoolArrays,
        admissible: Admissibility,
        params: PartnerParams,
    ) -> None:
        self._mentees, self._pool = mentees, pool
        self._admissible, self._params = admissible, params
        fits = admissible.cells() <= params.kept_cells
        self._kept = list(self._computed()) if fits else None

    def __iter__(self) -> Iterator[DistanceBlock]:
        return iter(self._kept) if self._kept is not None else self._computed()

    def _computed(self) -> Iterator[DistanceBlock]:
        for key, rows in self._admissible.members.items():
            partners = self._admissible.partners[key]
            if partners.size == 0:
                continue
            step = max(1, self._params.chunk_cells // partners.size)
            for start in range(0, rows.size, step):
                block_rows = rows[start : start + step]
                distances = distance_matrix(
                    self._mentees, block_rows, self._pool, partners, self._params
                )
                # a mentee that is in the pool too is never its own partner
                own = self._admissible.itself[block_rows][:, None] == partners[None, :]
                yield block_rows, partners, np.where(own, np.inf, distances)


def smallest_per_row(values: np.ndarray, count: int) -> np.ndarray:
    """Column indices of the `count` smallest values of each row (in no particular order)."""
    if count < values.shape[1]:
        return np.argpartition(values, count - 1, axis=1)[:, :count]
    return np.broadcast_to(np.arange(values.shape[1]), values.shape)


def nearest_candidates(
    blocks: DistanceBlocks, per_mentee: int, active_position: np.ndarray
) -> tuple[Edges, float]:
    """The first edges of the LP — each mentee's `per_mentee` nearest admissible partners — and
    the longest admissible distance (for the big-M)."""
    parts: list[Edges] = []
    longest_km = 0.0
    for rows, partners, distances in blocks:
        finite = np.isfinite(distances)  # infinite: a mentee's own pair
        if finite.any():
            longest_km = max(longest_km, float(distances[finite].max()))
        count = min(per_mentee, partners.size)
        nearest = smallest_per_row(distances, count)
        chosen = np.take_along_axis(distances, nearest, axis=1).reshape(-1)
        kept = np.isfinite(chosen)
        parts.append(
            Edges(
                mentee=active_position[np.repeat(rows, count)][kept],
                partner=partners[nearest.reshape(-1)][kept],
                distance_km=chosen[kept],
            )
        )
    return Edges.joined(parts), longest_km
