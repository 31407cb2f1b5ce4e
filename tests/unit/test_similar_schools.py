"""The exact k-nearest search behind mart_similar_schools, checked by hand and against brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nro_pipeline.lib.methods.similar_schools import compute, nearest_neighbours

# Five schools, two features (z-scores):
#   A (0, 0), B (1, 0), C (0, 1), D (2, 2), E (−1, 0)
# distances: AB = AC = AE = 1, BC = CE = √2, BE = 2, BD = CD = √5, AD = √8, DE = √13
HAND = {"A": (0.0, 0.0), "B": (1.0, 0.0), "C": (0.0, 1.0), "D": (2.0, 2.0), "E": (-1.0, 0.0)}
# two nearest, ties by school_id: A has B, C and E at 1 → B, C; C has B and E at √2 → B
EXPECTED_TWO = {
    "A": [("B", 1.0), ("C", 1.0)],
    "B": [("A", 1.0), ("C", math.sqrt(2))],
    "C": [("A", 1.0), ("B", math.sqrt(2))],
    "D": [("B", math.sqrt(5)), ("C", math.sqrt(5))],
    "E": [("A", 1.0), ("C", math.sqrt(2))],
}


def _long(points: dict[str, tuple[float, float]], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"school_id": school, "year": year, "feature": feature, "feature_order": order, "z": z}
            for school, values in points.items()
            for order, (feature, z) in enumerate(zip(("f1", "f2"), values, strict=True), 1)
        ]
    )


def _run(points: dict[str, tuple[float, float]], k: int) -> dict[str, list[tuple[str, float]]]:
    features = _long(points)
    schools = features[["school_id", "year"]].drop_duplicates()
    used = pd.DataFrame({"year": [2024, 2024], "feature": ["f1", "f2"]})
    table = compute(features, schools, used, k).to_pandas()
    out: dict[str, list[tuple[str, float]]] = {}
    for row in table.sort_values(["school_id", "rank"]).itertuples():
        out.setdefault(row.school_id, []).append((row.similar_school_id, row.distance))
    return out


def test_five_schools_by_hand() -> None:
    got = _run(HAND, k=2)
    assert got.keys() == EXPECTED_TWO.keys()
    for school, expected in EXPECTED_TWO.items():
        assert [s for s, _ in got[school]] == [s for s, _ in expected], school
        assert [d for _, d in got[school]] == pytest.approx([d for _, d in expected]), school


def test_input_order_does_not_matter_and_fewer_schools_than_k() -> None:
    shuffled = dict(reversed(list(HAND.items())))
    assert _run(shuffled, k=2) == _run(HAND, k=2)
    everyone = _run(HAND, k=50)  # only four other schools exist
    assert {len(v) for v in everyone.values()} == {4}
    assert [s for s, _ in everyone["A"]] == ["B", "C", "E", "D"]


def test_missing_feature_counts_as_mean_and_unused_feature_is_ignored() -> None:
    features = _long(HAND)
    features.loc[(features["school_id"] == "D") & (features["feature"] == "f2"), "z"] = np.nan
    extra = features[features["feature"] == "f1"].assign(feature="f3", feature_order=3, z=100.0)
    extra.loc[extra["school_id"] == "A", "z"] = -100.0  # would move A far away if it were used
    features = pd.concat([features, extra])
    schools = features[["school_id", "year"]].drop_duplicates()
    used = pd.DataFrame({"year": [2024, 2024], "feature": ["f1", "f2"]})
    table = compute(features, schools, used, 1).to_pandas().set_index("school_id")
    # D becomes (2, 0): nearest B at 1
    assert table.loc["D", "similar_school_id"] == "B"
    assert table.loc["D", "distance"] == pytest.approx(1.0)
    assert table.loc["A", "similar_school_id"] == "B"


def test_ties_past_the_candidates_are_resolved_by_id() -> None:
    # 30 identical schools: every candidate ties, so the boundary is open and the search falls back
    points = np.zeros((30, 3))
    neighbours, distances = nearest_neighbours(points, k=5, margin=2)
    for row in range(30):
        expected = [i for i in range(30) if i != row][:5]
        assert neighbours[row].tolist() == expected
        assert distances[row].tolist() == [0.0] * 5


def test_national_size_matches_brute_force() -> None:
    rng = np.random.default_rng(20240601)
    n, features, k = 40_000, 12, 50
    points = rng.normal(size=(n, features))
    # a few exact duplicates, so that ties at distance 0 occur at national size too
    points[n - 20 :] = points[:20]
    sample = np.concatenate([rng.choice(n, size=190, replace=False), np.arange(10)])
    # the tree is built over all 40,000 schools; only the sample is asked (the full year is timed
    # in bench/README.md)
    neighbours, distances = nearest_neighbours(points, k, queries=sample)
    assert neighbours.shape == (len(sample), k)
    everyone = np.arange(n)
    for position, row in enumerate(sample):
        brute = np.sqrt(((points - points[row]) ** 2).sum(axis=1))
        brute[row] = np.inf
        order = np.lexsort((everyone, brute))[:k]
        assert neighbours[position].tolist() == order.tolist()
        np.testing.assert_allclose(distances[position], brute[order], rtol=1e-12)
