"""Rows of the social passport (`social_passport` file) for one year.

Each share is a logistic function of the school's latent well-being (plus rurality and a
persistent school deviation), drawn binomially from the year's pupil count, so every part is at
most students_total and the shares carry the signal the ISBSh regression is meant to find.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from nro_pipeline.lib.contract.file_kinds import PASSPORT_STUDENT_COUNTS
from nro_pipeline.lib.sample.population import Population

# count column → (intercept, well-being slope, rural shift) of the logit of its share
SHARE_MODEL: dict[str, tuple[float, float, float]] = {
    "low_income": (-1.4, -0.8, 0.3),
    "single_parent": (-1.5, -0.35, 0.0),
    "large_family": (-1.9, -0.2, 0.4),
    "parents_higher_edu": (-0.3, 0.9, -0.3),
    "unemployed_parents": (-3.0, -0.7, 0.3),
    "non_native_russian": (-4.0, -0.1, 0.0),
    "disabled": (-3.2, -0.15, 0.0),
    "registered_at_risk": (-4.0, -0.45, 0.0),
}
assert tuple(SHARE_MODEL) == PASSPORT_STUDENT_COUNTS
NON_NATIVE_SHIFT = 2.2  # municipalities with a large non-Russian-speaking population
FIRST_INTERNET_YEAR = 2019  # rural connections improve year by year from here


def passport_rows(
    population: Population, year: int, rng: np.random.Generator
) -> Iterator[dict[str, Any]]:
    n = population.size
    w = population.wellbeing
    rural = (~population.urban).astype(float)
    noise = population.passport_noise
    # A school that reports a passport has pupils: a tiny rural school whose simulated classes are
    # all empty that year still counts one (a passport with 0 pupils fails validation, rightly).
    students = np.maximum(population.students_total(year), 1).astype(np.int64)

    counts: dict[str, np.ndarray] = {}
    for k, (column, (intercept, slope, rural_shift)) in enumerate(SHARE_MODEL.items()):
        logit = intercept + slope * w + rural_shift * rural + noise[:, k] + rng.normal(0, 0.1, n)
        if column == "non_native_russian":
            logit = logit + NON_NATIVE_SHIFT * population.non_native
        counts[column] = rng.binomial(students, _sigmoid(logit))

    elapsed = max(0, year - FIRST_INTERNET_YEAR)
    internet = np.exp(
        np.where(population.urban, math.log(70.0) + 0.1 * elapsed, math.log(6.0) + 0.3 * elapsed)
        + 0.2 * w
        + 2 * noise[:, 8]
        + rng.normal(0.0, 0.15, n)
    )
    per_100 = np.exp(math.log(11.0) + 0.15 * w + noise[:, 9] + rng.normal(0.0, 0.1, n))
    computers = np.maximum(2, np.rint(students * per_100 / 100)).astype(np.int64)
    pupils_per_teacher = np.where(population.urban, 14.0, 8.0) * np.exp(rng.normal(0, 0.1, n))
    teachers = np.maximum(2, np.rint(students / pupils_per_teacher + 2)).astype(np.int64)
    vacancy_rate = np.clip(0.03 + 0.05 * rural - 0.03 * w, 0.005, 0.3)
    vacancies = rng.poisson(teachers * vacancy_rate)
    trained = rng.binomial(teachers, _sigmoid(0.2 + 0.3 * w + noise[:, 0]))

    columns = {
        **{name: values.tolist() for name, values in counts.items()},
        "students_total": students.tolist(),
        "distance_to_center_km": population.distance_km.tolist(),
        "internet_mbps": np.round(internet, 1).tolist(),
        "computers": computers.tolist(),
        "teachers_total": teachers.tolist(),
        "teacher_vacancies": vacancies.tolist(),
        "teachers_trained": trained.tolist(),
    }
    for i in np.flatnonzero(population.active(year)).tolist():
        row: dict[str, Any] = {"school_id": population.ids[i]}
        row.update((name, values[i]) for name, values in columns.items())
        yield row


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
