"""Rows of OGE and EGE results (`gia_results` file) for one year: one row per participant × exam.

Generated school by school and yielded row by row, so a region of tens of thousands of schools
(millions of rows) never holds a year's GIA in memory. Pupil ability is the school's theta plus
the class's cohort effect plus individual spread; at ability 0 about 6–7 % fail OGE math, 4 % OGE
Russian, 1–2 % EGE Russian, 7–9 % EGE profile math and 3 % EGE base math among the main
attempts of current graduates. Those who fail OGE or EGE Russian/base math mostly retake
(`attempt = retake`, same participant id); a few past-year graduates (`category = past`) sit too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from nro_pipeline.lib.sample.population import Population

EGE_MIN_SCORE = {"rus": 24, "math_profile": 27}  # the defaults of the seed min_scores
SITTING_RATE = 0.97  # share of a graduating class that sits the exams
RETAKE_RATE = 0.85  # share of failed main attempts retaken in the reserve days
RETAKE_GAIN = 0.7  # a retake is prepared for: ability shifts up
PUPIL_SPREAD = 0.9
# EGE test score = centre + spread · ability (+ exam-day noise), clipped to 0..100
RUS_CENTRE, RUS_SPREAD = 64.0, 15.0
PROFILE_CENTRE, PROFILE_SPREAD = 44.0, 17.0


@dataclass(frozen=True)
class PrimaryScale:
    """A primary-score exam graded into marks: score ≥ thresholds[k] gives mark 3 + k."""

    max_score: int
    thresholds: tuple[int, int, int]
    intercept: float  # logit of the share of points scored at ability 0
    slope: float

    def scores(self, ability: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return rng.binomial(
            self.max_score, 1.0 / (1.0 + np.exp(-(self.intercept + self.slope * ability)))
        )

    def marks(self, scores: np.ndarray) -> np.ndarray:
        return 2 + np.searchsorted(np.array(self.thresholds), scores, side="right")


OGE_SCALES = {
    "math": PrimaryScale(31, (8, 15, 22), 0.65, 0.95),
    "rus": PrimaryScale(33, (11, 22, 29), 1.0, 0.9),
}
EGE_BASE = PrimaryScale(21, (7, 12, 17), 1.8, 0.9)


class ParticipantIds:
    """Pseudonymous participant codes, unique within a year's file.

    Even years use the sequential «P2024-000123» codes of the regional processing centre, odd
    years a 16-hex pseudonym; the pseudonym is a bijection of the sequence number (odd multiplier
    modulo 2⁶⁴, then XOR with a key), so it never collides.
    """

    _MASK = (1 << 64) - 1

    def __init__(self, year: int, seed: int) -> None:
        self._year = year
        self._hashed = year % 2 == 1
        self._key = ((seed + 1) * 0xD1B54A32D192ED03 + year) & self._MASK
        self._next = 0

    def take(self, count: int) -> list[str]:
        start = self._next
        self._next += count
        if self._hashed:
            return [
                f"{((k * 0x9E3779B97F4A7C15) & self._MASK) ^ self._key:016x}"
                for k in range(start + 1, start + count + 1)
            ]
        return [f"P{self._year}-{k:06d}" for k in range(start + 1, start + count + 1)]


def gia_rows(
    population: Population, year: int, rng: np.random.Generator, seed: int
) -> Iterator[dict[str, Any]]:
    t = population.year_index(year)
    grade9 = population.class_sizes(year, 9).tolist()
    grade11 = population.class_sizes(year, 11).tolist()
    cohort9 = population.cohort_effect[:, year - 9 - population.first_cohort].tolist()
    cohort11 = population.cohort_effect[:, year - 11 - population.first_cohort].tolist()
    theta = population.theta[:, t].tolist()
    ids = ParticipantIds(year, seed)
    for i in np.flatnonzero(population.active(year)).tolist():
        school_id = population.ids[i]
        if grade9[i]:
            yield from _oge(school_id, theta[i] + cohort9[i], grade9[i], rng, ids)
        if grade11[i]:
            yield from _ege(school_id, theta[i] + cohort11[i], grade11[i], rng, ids)


def _row(
    pid: str,
    school_id: str,
    exam: str,
    subject: str,
    score: int,
    mark: int | None,
    attempt: str = "main",
    category: str = "current",
) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "school_id": school_id,
        "exam": exam,
        "subject": subject,
        "score": score,
        "mark": mark,
        "attempt": attempt,
        "category": category,
    }


def _oge(
    school_id: str, level: float, class_size: int, rng: np.random.Generator, ids: ParticipantIds
) -> Iterator[dict[str, Any]]:
    sitting = int(rng.binomial(class_size, SITTING_RATE))
    ability = level + rng.normal(0.0, PUPIL_SPREAD, sitting)
    pids = ids.take(sitting)
    for subject, scale in OGE_SCALES.items():
        scores = scale.scores(ability, rng)
        marks = scale.marks(scores)
        for pid, score, mark in zip(pids, scores.tolist(), marks.tolist(), strict=True):
            yield _row(pid, school_id, "OGE", subject, score, mark)
        failed = np.flatnonzero(marks == 2)
        again = failed[rng.random(len(failed)) < RETAKE_RATE]
        retake_scores = scale.scores(ability[again] + RETAKE_GAIN, rng)
        retake_marks = scale.marks(retake_scores)
        for k, score, mark in zip(
            again.tolist(), retake_scores.tolist(), retake_marks.tolist(), strict=True
        ):
            yield _row(pids[k], school_id, "OGE", subject, score, mark, attempt="retake")

    # Last year's graduates without a certificate sit the subject they failed.
    past = int(rng.poisson(0.01 * sitting + 0.05))
    past_ability = level - 0.8 + rng.normal(0.0, 0.6, past)
    for pid, a in zip(ids.take(past), past_ability.tolist(), strict=True):
        subject = "math" if rng.random() < 0.6 else "rus"
        scale = OGE_SCALES[subject]
        score = int(scale.scores(np.array([a]), rng)[0])
        mark = int(scale.marks(np.array([score]))[0])
        yield _row(pid, school_id, "OGE", subject, score, mark, category="past")


def _test_scores(
    ability: np.ndarray, centre: float, spread: float, rng: np.random.Generator
) -> np.ndarray:
    """EGE test scores 0..100 (Russian, profile math), linear in ability with exam-day noise."""
    raw = centre + spread * ability + rng.normal(0.0, 5.0, len(ability))
    return np.clip(np.rint(raw), 0, 100).astype(np.int64)


def _ege(
    school_id: str, level: float, class_size: int, rng: np.random.Generator, ids: ParticipantIds
) -> Iterator[dict[str, Any]]:
    sitting = int(rng.binomial(class_size, SITTING_RATE))
    ability = level + rng.normal(0.0, PUPIL_SPREAD, sitting)
    pids = ids.take(sitting)

    rus = _test_scores(ability, RUS_CENTRE, RUS_SPREAD, rng)
    for pid, score in zip(pids, rus.tolist(), strict=True):
        yield _row(pid, school_id, "EGE", "rus", score, None)
    failed = np.flatnonzero(rus < EGE_MIN_SCORE["rus"])
    again = failed[rng.random(len(failed)) < RETAKE_RATE]
    for k, score in zip(
        again.tolist(),
        _test_scores(ability[again] + RETAKE_GAIN, RUS_CENTRE, RUS_SPREAD, rng).tolist(),
        strict=True,
    ):
        yield _row(pids[k], school_id, "EGE", "rus", score, None, attempt="retake")

    # Stronger pupils choose profile math (needed for engineering admission), the rest base.
    profile = rng.random(sitting) < 1.0 / (1.0 + np.exp(-(1.4 * ability - 0.1)))
    chosen = np.flatnonzero(profile)
    for k, score in zip(
        chosen.tolist(),
        _test_scores(ability[chosen], PROFILE_CENTRE, PROFILE_SPREAD, rng).tolist(),
        strict=True,
    ):
        yield _row(pids[k], school_id, "EGE", "math_profile", score, None)
    base = np.flatnonzero(~profile)
    base_scores = EGE_BASE.scores(ability[base], rng)
    base_marks = EGE_BASE.marks(base_scores)
    for k, score, mark in zip(
        base.tolist(), base_scores.tolist(), base_marks.tolist(), strict=True
    ):
        yield _row(pids[k], school_id, "EGE", "math_base", score, mark)
    failed = base[base_marks == 2]
    again = failed[rng.random(len(failed)) < RETAKE_RATE]
    retake_scores = EGE_BASE.scores(ability[again] + RETAKE_GAIN, rng)
    retake_marks = EGE_BASE.marks(retake_scores)
    for k, score, mark in zip(
        again.tolist(), retake_scores.tolist(), retake_marks.tolist(), strict=True
    ):
        yield _row(pids[k], school_id, "EGE", "math_base", score, mark, attempt="retake")

    # Past-year graduates re-sit Russian and/or profile math to improve their admission scores.
    past = int(rng.poisson(0.12 * sitting + 0.2))
    past_ids = ids.take(past)
    past_ability = level + 0.2 + rng.normal(0.0, 0.9, past)
    takes_rus = rng.random(past) < 0.5
    takes_profile = (rng.random(past) < 0.7) | ~takes_rus
    rus_scores = _test_scores(past_ability, RUS_CENTRE, RUS_SPREAD, rng).tolist()
    profile_scores = _test_scores(past_ability, PROFILE_CENTRE, PROFILE_SPREAD, rng).tolist()
    for k, pid in enumerate(past_ids):
        if takes_rus[k]:
            yield _row(pid, school_id, "EGE", "rus", rus_scores[k], None, category="past")
        if takes_profile[k]:
            yield _row(
                pid, school_id, "EGE", "math_profile", profile_scores[k], None, category="past"
            )
