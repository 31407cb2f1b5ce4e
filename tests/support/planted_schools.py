"""Fixture schools with known answers, appended to a generated (canonical-style) landing zone.

Every planted school has results worked out by hand from the rules of docs/methodology.md,
«Методика и параметры» (defaults: 30 % rule, small-n < 5, criterion 1 = 2 low procedures,
criterion 2 = a low procedure in each of 5 years):

- T_C1: in 2024 VPR math 5 has 3 of 10 failing (exactly 0.30 → low), VPR rus 5 2 of 10 (0.20),
  EGE rus 3 of 10 main/current below the minimum 24 with no mark (0.30 → low): 2 low → criterion 1.
- T_C2: every year 2020–2024 exactly one low procedure (VPR math 5, 4 of 10): criterion 2 only.
- T_SMALL: VPR math 5 with 4 participants all failing and VPR rus 5 with 4, 3 failing: small-n,
  never low, not listed.
- T_RETAKE: OGE math and OGE rus each 10 main/current participants who pass, plus failing retakes
  and past-year graduates: failures that do not count, so not low and not listed.
- T_2Y: one low procedure (VPR rus 5, 5 of 10) in 2023 and 2024 only: criterion 2 with
  persistence_years = 2, not with the default 5; also under criterion2_mode = same_procedure.
- T_LEFT: in 2023 VPR math 5 and rus 5 each 4 of 10 (criterion 1), in 2024 1 of 10 each: on the
  list in 2023, list_status `left` in 2024.
- T_SWITCH: VPR math 5 low (4 of 10) in 2023 only, VPR rus 5 low (4 of 10) in 2024 only: with
  persistence_years = 2 criterion 2 holds in 2024 under any_procedure, not under same_procedure.
"""

from __future__ import annotations

import csv
from pathlib import Path

PLANTED_IDS = ("T_C1", "T_C2", "T_SMALL", "T_RETAKE", "T_2Y", "T_LEFT", "T_SWITCH")

REGISTRY = {
    "T_C1": ("Планшкола критерия 1", "NOO,OOO,SOO"),
    "T_C2": ("Планшкола критерия 2", "NOO,OOO"),
    "T_SMALL": ("Малокомплектная планшкола", "NOO,OOO"),
    "T_RETAKE": ("Планшкола пересдач", "NOO,OOO"),
    "T_2Y": ("Планшкола двух лет", "NOO,OOO"),
    "T_LEFT": ("Планшкола, вышедшая из списка", "NOO,OOO"),
    "T_SWITCH": ("Планшкола смены процедур", "NOO,OOO"),
}


def _vpr(
    school: str, grade: int, subject: str, participants: int, failed: int
) -> dict[str, object]:
    # The passing participants all get a 3 or 4: only mark_2 matters for the rules.
    passing = participants - failed
    return {
        "school_id": school,
        "grade": grade,
        "subject": subject,
        "participants": participants,
        "mark_2": failed,
        "mark_3": passing // 2,
        "mark_4": passing - passing // 2,
        "mark_5": 0,
    }


def _gia(
    school: str, year: int, exam: str, subject: str, outcomes: list[tuple[int, object, str, str]]
) -> list[dict[str, object]]:
    return [
        {
            "participant_id": f"PT{year}-{school}-{exam}-{subject}-{i:03d}",
            "school_id": school,
            "exam": exam,
            "subject": subject,
            "score": score,
            "mark": mark,
            "attempt": attempt,
            "category": category,
        }
        for i, (score, mark, attempt, category) in enumerate(outcomes)
    ]


def planted_rows(year: int) -> dict[str, list[dict[str, object]]]:
    vpr: list[dict[str, object]] = []
    gia: list[dict[str, object]] = []
    # Healthy results every planted school has unless overridden below.
    for school in ("T_C1", "T_C2", "T_RETAKE", "T_2Y"):
        low_math = school == "T_C2" or (school == "T_C1" and year == 2024)
        low_rus = school == "T_2Y" and year >= 2023
        vpr.append(_vpr(school, 5, "math", 10, 4 if school == "T_C2" else (3 if low_math else 1)))
        vpr.append(_vpr(school, 5, "rus", 10, 5 if low_rus else (2 if school == "T_C1" else 1)))
    vpr.append(_vpr("T_LEFT", 5, "math", 10, 4 if year == 2023 else 1))
    vpr.append(_vpr("T_LEFT", 5, "rus", 10, 4 if year == 2023 else 1))
    vpr.append(_vpr("T_SWITCH", 5, "math", 10, 4 if year == 2023 else 1))
    vpr.append(_vpr("T_SWITCH", 5, "rus", 10, 4 if year == 2024 else 1))
    vpr.append(_vpr("T_SMALL", 5, "math", 4, 4))
    vpr.append(_vpr("T_SMALL", 5, "rus", 4, 3))
    for subject in ("math", "rus"):
        passing = [(20, 4, "main", "current")] * 10
        failing_retakes = [(3, 2, "retake", "current")] * 6 + [(4, 2, "main", "past")] * 6
        gia += _gia("T_RETAKE", year, "OGE", subject, passing + failing_retakes)
    below_minimum = 3 if year == 2024 else 1
    ege_rus = [(15, "", "main", "current")] * below_minimum + [(70, "", "main", "current")] * (
        10 - below_minimum
    )
    gia += _gia("T_C1", year, "EGE", "rus", ege_rus)
    schools = [
        {
            "school_id": school,
            "school_name": name,
            "municipality": "Планмуниципалитет",
            "locality_type": "rural" if school == "T_SMALL" else "city",
            "levels": levels,
            "latitude": 56.0 + i / 100,
            "longitude": 40.0 + i / 100,
            "successor_id": "",
        }
        for i, (school, (name, levels)) in enumerate(REGISTRY.items())
    ]
    passport = [
        {
            "school_id": school,
            "students_total": 200,
            "low_income": 30,
            "single_parent": 20,
            "large_family": 15,
            "parents_higher_edu": 80,
            "unemployed_parents": 10,
            "non_native_russian": 5,
            "disabled": 6,
            "registered_at_risk": 2,
            "distance_to_center_km": 12.5,
            "internet_mbps": 50,
            "computers": 20,
            "teachers_total": 20,
            "teacher_vacancies": 1,
            "teachers_trained": 10,
        }
        for school in REGISTRY
    ]
    return {"schools": schools, "vpr_results": vpr, "gia_results": gia, "social_passport": passport}


def plant(landing: Path, years: list[int]) -> None:
    """Append the planted rows to each year's canonical CSV files (header order kept)."""
    for year in years:
        append_rows(landing / str(year), planted_rows(year))


def append_rows(folder: Path, rows_by_kind: dict[str, list[dict]]) -> None:
    """Append rows to the year folder's canonical CSV file of each kind, in its header's order."""
    for kind, rows in rows_by_kind.items():
        path = folder / f"{kind}.csv"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            for row in rows:
                writer.writerow({k: row.get(k, "") for k in header})
