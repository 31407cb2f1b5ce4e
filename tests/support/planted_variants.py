"""Three more schools with known answers under the regional presets (docs/methodology.md,
«Варианты методики и пресеты»), appended to a copy of the planted region's landing zone.

They share the planted schools' social passport, so all ten planted schools have one ISBSh, one
quintile and one social status whatever the weights. They sit east of the T_* schools: V_ZHIGH
0.62 km from V_LISTED, V_STABLE 1.86 km from it (56.10° N; 0.01° of longitude ≈ 0.62 km).

- V_LISTED: in 2024 VPR math 5 and rus 5 each 5 of 10 failing (criterion 1 of the federal
  selection) and VPR math 4 5 of 10 (criterion 1 of Izhevsk: one low procedure among VPR 4 and
  OGE); 1 of 10 otherwise. On the list in 2024 under every preset, never before.
- V_ZHIGH: VPR 5 math and rus with nobody failing (success share 1.0), except 2022: 2 of 10 each
  (share 0.8, no low procedure, so never listed; below the region's lower quartile of shares, so
  not `high`). No VPR 4: under Izhevsk's selection it has no result index. The nearest high
  school to V_LISTED in 2024 — but not stably high.
- V_STABLE: VPR 4 and 5, math and rus, nobody failing, every year: result level high every year.
  The partner of V_LISTED under `partner_high_years: 3` and under Izhevsk's resilient pool.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.planted_schools import _vpr, append_rows, planted_rows

VARIANT_IDS = ("V_LISTED", "V_ZHIGH", "V_STABLE")
PLACES = {"V_LISTED": 40.10, "V_ZHIGH": 40.11, "V_STABLE": 40.13}


def variant_rows(year: int) -> dict[str, list[dict[str, object]]]:
    passport = planted_rows(year)["social_passport"][0]
    listed_now = year == 2024
    vpr = []
    for subject in ("math", "rus"):
        vpr.append(_vpr("V_LISTED", 5, subject, 10, 5 if listed_now else 1))
        vpr.append(_vpr("V_LISTED", 4, subject, 10, 5 if listed_now and subject == "math" else 1))
        vpr.append(_vpr("V_ZHIGH", 5, subject, 10, 2 if year == 2022 else 0))
        vpr.append(_vpr("V_STABLE", 5, subject, 10, 0))
        vpr.append(_vpr("V_STABLE", 4, subject, 10, 0))
    schools = [
        {
            "school_id": school,
            "school_name": f"Планшкола варианта {school}",
            "municipality": "Планмуниципалитет",
            "locality_type": "city",
            "levels": "NOO,OOO",
            "latitude": 56.10,
            "longitude": PLACES[school],
            "successor_id": "",
        }
        for school in VARIANT_IDS
    ]
    return {
        "schools": schools,
        "vpr_results": vpr,
        "gia_results": [],
        "social_passport": [{**passport, "school_id": school} for school in VARIANT_IDS],
    }


def plant_variants(landing: Path, years: list[int]) -> None:
    """Append the variant schools to each year's canonical CSV files (header order kept)."""
    for year in years:
        append_rows(landing / str(year), variant_rows(year))
