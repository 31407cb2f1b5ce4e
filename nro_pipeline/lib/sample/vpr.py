"""Rows of VPR results (`vpr_results` file) for one year: school × grade × subject mark counts.

Marks follow an ordered logit in the class's ability (school theta + the class's cohort effect):
at ability 0 about 8 % «2», 49 % «3», 31 % «4», 12 % «5», close to regional VPR figures.
Counts are one multinomial draw, so they always sum to the participants.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nro_pipeline.lib.sample.population import Population

GRADES = (4, 5, 6, 7, 8)
SUBJECTS = ("math", "rus")
CUTS = np.array([-2.4, 0.3, 2.0])  # logits of P(mark ≤ 2), P(≤ 3), P(≤ 4) at ability 0
PARTICIPATION = 0.9  # share of a class present on the day
# How much harder than grade-5 math each test is (more «2» where positive).
DIFFICULTY = {
    (4, "math"): -0.6,
    (4, "rus"): -0.4,
    (5, "math"): 0.0,
    (5, "rus"): 0.15,
    (6, "math"): 0.1,
    (6, "rus"): 0.2,
    (7, "math"): 0.3,
    (7, "rus"): 0.25,
    (8, "math"): 0.35,
    (8, "rus"): 0.3,
}


def vpr_rows(
    population: Population, year: int, rng: np.random.Generator
) -> Iterator[dict[str, Any]]:
    n = population.size
    theta = population.theta[:, population.year_index(year)]
    # Every (grade, subject) of every school at once; rows are then emitted school by school.
    tests: list[tuple[int, str, list[int], list[list[int]]]] = []
    for grade in GRADES:
        sizes = population.class_sizes(year, grade)
        cohort = population.cohort_effect[:, year - grade - population.first_cohort]
        for subject in SUBJECTS:
            participants = rng.binomial(sizes, PARTICIPATION)
            ability = theta + cohort + rng.normal(0.0, 0.15, n) - DIFFICULTY[grade, subject]
            cumulative = 1.0 / (1.0 + np.exp(-(CUTS[None, :] - ability[:, None])))
            probabilities = np.diff(cumulative, prepend=0.0, append=1.0, axis=1)
            marks = rng.multinomial(participants, probabilities)
            tests.append((grade, subject, participants.tolist(), marks.tolist()))

    for i in np.flatnonzero(population.active(year)).tolist():
        school_id = population.ids[i]
        for grade, subject, participants, marks in tests:
            if participants[i] == 0:
                continue  # no such class this year: no row, as in the FIS OKO extract
            m2, m3, m4, m5 = marks[i]
            yield {
                "school_id": school_id,
                "grade": grade,
                "subject": subject,
                "participants": participants[i],
                "mark_2": m2,
                "mark_3": m3,
                "mark_4": m4,
                "mark_5": m5,
            }
