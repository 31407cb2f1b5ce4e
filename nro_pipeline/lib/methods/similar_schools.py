"""Similar schools: the k nearest other schools of the same year in ISBSh feature space.

The rule: docs/methodology.md, «Поддержка решений», «Похожие школы».

For one year: each school with an ISBSh is a point whose coordinates are the z-scores of the
features that year's ISBSh used (a missing value counts as the year's mean, z = 0, as in the
ISBSh itself); the distance is Euclidean and unweighted. Each school gets the ``k`` nearest other
schools, nearest first, ties broken by ``school_id``; fewer when the year has fewer schools.

The search is exact and deterministic without a cross join: points are sorted by ``school_id``
(so a lower index is a lower id), a ``scipy.spatial.cKDTree`` returns the ``k + 1 + margin``
nearest candidates of every point, the candidates' distances are recomputed with one NumPy
formula and sorted by (distance, id). Where the farthest candidate is not farther than the k-th
(a tie at the boundary may continue past the candidates), that school alone is brute-forced
against all points with the same formula. Plain Python: no dbt or Dagster here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.spatial import cKDTree

# Extra candidates fetched beyond k + 1 (self): only affects speed, never the result.
QUERY_MARGIN = 8
# Tree shape: in 12 dimensions large leaves (brute force inside a leaf) beat scipy's default of
# 16 at national size (bench/README.md); speed only, the search is exact either way.
LEAF_SIZE = 256
# Rows whose distances are recomputed at once (bounds memory: chunk × candidates × features).
CHUNK_ROWS = 4096
# Relative tolerance for "the farthest candidate is as near as the k-th" (tree vs NumPy rounding).
BOUNDARY_TOLERANCE = 1e-9

COLUMNS = ["school_id", "year", "rank", "similar_school_id", "distance"]
SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("year", pa.int32()),
        ("rank", pa.int32()),
        ("similar_school_id", pa.string()),
        ("distance", pa.float64()),
    ]
)


def _distances(points: np.ndarray, rows: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Euclidean distance of points[rows[i]] to points[candidates[i, j]] (one formula for all)."""
    diff = points[candidates] - points[rows][:, None, :]
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


def nearest_neighbours(
    points: np.ndarray,
    k: int,
    margin: int = QUERY_MARGIN,
    queries: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For points already sorted by id: (neighbour indices, distances), each of shape
    (len(queries), min(k, n − 1)), nearest first, ties by index. Exact. ``queries`` are the
    indices of the points to answer for (default: every point)."""
    points = np.ascontiguousarray(points, dtype=np.float64)
    n = len(points)
    queries = np.arange(n) if queries is None else np.asarray(queries, dtype=np.int64)
    q = len(queries)
    k_eff = min(int(k), n - 1)
    if k_eff <= 0:
        return np.empty((q, 0), dtype=np.int64), np.empty((q, 0), dtype=np.float64)
    m = min(n, k_eff + 1 + margin)
    tree = cKDTree(points, leafsize=LEAF_SIZE, balanced_tree=False, compact_nodes=False)

    neighbours = np.empty((q, k_eff), dtype=np.int64)
    distances = np.empty((q, k_eff), dtype=np.float64)
    fallback: list[int] = []
    for start in range(0, q, CHUNK_ROWS):
        positions = np.arange(start, min(q, start + CHUNK_ROWS))
        rows = queries[positions]
        tree_distances, cand = tree.query(points[rows], k=m, workers=-1)
        cand = np.asarray(cand).reshape(len(rows), m)
        farthest = np.asarray(tree_distances).reshape(len(rows), m)[:, -1]
        dist = _distances(points, rows, cand)
        # self goes last whatever its distance (duplicates of a point are also at distance 0)
        is_self = cand == rows[:, None]
        order = np.lexsort((cand, dist, is_self), axis=-1)
        cand = np.take_along_axis(cand, order, axis=-1)[:, :k_eff]
        dist = np.take_along_axis(dist, order, axis=-1)[:, :k_eff]
        neighbours[positions] = cand
        distances[positions] = dist
        if m < n:
            kth = dist[:, -1]
            open_boundary = farthest <= kth * (1 + BOUNDARY_TOLERANCE) + 1e-12
            fallback.extend(positions[open_boundary].tolist())
    everyone = np.arange(n)
    for position in fallback:
        row = queries[position]
        dist = _distances(points, np.array([row]), everyone[None, :])[0]
        dist[row] = np.inf
        order = np.lexsort((everyone, dist))[:k_eff]
        neighbours[position] = order
        distances[position] = dist[order]
    return neighbours, distances


def similar_for_year(year: int, school_ids: np.ndarray, points: np.ndarray, k: int) -> pa.Table:
    """One year's rows: school_ids (unique) with their feature vectors (same order)."""
    order = np.argsort(school_ids.astype(str), kind="stable")
    ids = school_ids[order].astype(object)
    neighbours, distances = nearest_neighbours(points[order], k)
    n, k_eff = neighbours.shape
    return pa.table(
        {
            "school_id": pa.array(np.repeat(ids, k_eff), type=pa.string()),
            "year": pa.array(np.full(n * k_eff, year, dtype=np.int32)),
            "rank": pa.array(np.tile(np.arange(1, k_eff + 1, dtype=np.int32), n)),
            "similar_school_id": pa.array(ids[neighbours.ravel()], type=pa.string()),
            "distance": pa.array(distances.ravel()),
        },
        schema=SCHEMA,
    )


def feature_matrix(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """features (one year, long): school_id, feature, feature_order, z → (ids, points), a missing
    z as 0; columns in feature_order."""
    names = (
        features[["feature", "feature_order"]]
        .drop_duplicates()
        .sort_values("feature_order")["feature"]
        .tolist()
    )
    wide = features.pivot_table(
        index="school_id", columns="feature", values="z", aggfunc="first", dropna=False
    ).reindex(columns=names)
    return wide.index.to_numpy(dtype=object), wide.astype(float).fillna(0.0).to_numpy()


def compute(features: pd.DataFrame, schools: pd.DataFrame, used: pd.DataFrame, k: int) -> pa.Table:
    """features: school_id, year, feature, feature_order, z (is_used features);
    schools: school_id, year of the schools with an ISBSh; used: year, feature of the features
    that year's ISBSh weighed. Every year present in ``schools``."""
    parts = []
    for year in sorted(int(y) for y in schools["year"].dropna().unique()):
        ids = set(schools.loc[schools["year"] == year, "school_id"])
        year_used = set(used.loc[used["year"] == year, "feature"])
        year_features = features[
            (features["year"] == year)
            & features["school_id"].isin(ids)
            & features["feature"].isin(year_used)
        ]
        if year_features.empty:
            continue
        school_ids, points = feature_matrix(year_features)
        parts.append(similar_for_year(year, school_ids, points, k))
    return pa.concat_tables(parts) if parts else SCHEMA.empty_table()
