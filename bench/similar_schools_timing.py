"""Time the exact kNN of mart_similar_schools for one national year (40,000 schools, 12 features).

Two inputs: the z-scored ISBSh features of a generated national social passport (as
int_isbsh_features computes them), and i.i.d. Gaussian points (a worst case for a k-d tree).
Prints wall time and process CPU time of ``nearest_neighbours`` for every school.

    .venv/bin/nro sample --scale national --years 2024 --style csv_utf8 --out /tmp/national
    .venv/bin/python bench/similar_schools_timing.py /tmp/national/2024/social_passport.csv
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from nro_pipeline.lib.methods.similar_schools import nearest_neighbours

SHARES = [
    "low_income", "single_parent", "large_family", "parents_higher_edu",
    "unemployed_parents", "non_native_russian", "disabled", "registered_at_risk",
]  # fmt: skip


def passport_points(path: str) -> np.ndarray:
    passport = pd.read_csv(path)
    students = passport["students_total"].where(passport["students_total"] > 0)
    features = pd.DataFrame({f"{c}_share": passport[c] / students for c in SHARES})
    features["distance_to_center_km"] = passport["distance_to_center_km"]
    features["internet_mbps"] = passport["internet_mbps"]
    features["computers_per_100"] = 100 * passport["computers"] / students
    staff = passport["teachers_total"] + passport["teacher_vacancies"]
    features["vacancy_rate"] = passport["teacher_vacancies"] / staff.where(staff > 0)
    features = features.astype(float)
    used = [c for c in features if features[c].nunique() > 1]
    z = (features[used] - features[used].mean()) / features[used].std(ddof=0)
    return z.fillna(0.0).to_numpy()


def timed(label: str, points: np.ndarray, k: int = 50) -> None:
    wall, cpu = time.monotonic(), time.process_time()
    neighbours, _ = nearest_neighbours(points, k)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(f"{label}: {points.shape[0]} schools × {points.shape[1]} features, k = {k}: "
          f"wall {wall:.1f} s, CPU {cpu:.1f} s, {neighbours.size} rows")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1:
        timed("national passport", passport_points(sys.argv[1]))
    timed("gaussian", np.random.default_rng(1).normal(size=(40_000, 12)))
