"""Partner assignment: hand-worked cases and a cross-check against networkx.

The rules: docs/methodology.md, «Методика и параметры», «Школы-партнёры».
"""

from __future__ import annotations

import math
import random
import time

import pytest

from nro_pipeline.lib.methods.partner_assignment import (
    HORIZONTAL,
    VERTICAL,
    PartnerParams,
    School,
    assign_partners,
    haversine_km,
)
from tests.support.partner_rules import distance_km, is_admissible

# On the equator one degree of longitude is 2πR/360 km.
KM_PER_DEG = 2 * math.pi * 6371.0088 / 360


def mentee(sid: str, x: float | None, *, q: int = 3, levels: str = "NOO,OOO", muni: str = "M1"):
    """A listed school at longitude x degrees on the equator (None = no coordinates)."""
    return School(
        sid,
        municipality=muni,
        latitude=None if x is None else 0.0,
        longitude=x,
        levels=levels,
        isbsh_quintile=q,
        result_level="low",
        recently_listed=True,
    )


def partner(
    sid: str,
    x: float | None,
    *,
    q: int = 3,
    levels: str = "NOO,OOO",
    muni: str = "M1",
    level: str = "high",
    recently_listed: bool = False,
):
    return School(
        sid,
        municipality=muni,
        latitude=None if x is None else 0.0,
        longitude=x,
        levels=levels,
        isbsh_quintile=q,
        result_level=level,
        recently_listed=recently_listed,
    )


def by_mentee(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in result.matches:
        out.setdefault(m.school_id, []).append(m)
    return out


def greedy_nearest_first(mentees, schools, params):
    """The naive baseline: each mentee in list order takes its nearest admissible free partner."""
    load: dict[str, int] = {}
    total, pairs = 0.0, set()
    for mt in mentees:
        cands = sorted(
            (distance_km(mt, s, params), s.school_id)
            for s in schools
            if is_admissible(mt, s) and load.get(s.school_id, 0) < params.partner_capacity
        )
        if cands:
            d, sid = cands[0]
            load[sid] = load.get(sid, 0) + 1
            pairs.add((mt.school_id, sid))
            total += d
    return pairs, total


# ---------------------------------------------------------------------------------------------


def test_haversine_one_degree_on_equator():
    assert float(haversine_km(0.0, 0.0, 0.0, 1.0)) == pytest.approx(KM_PER_DEG, rel=1e-12)
    # Moscow – Saint Petersburg ≈ 634 km
    assert float(haversine_km(55.7558, 37.6173, 59.9343, 30.3351)) == pytest.approx(634, abs=3)


def test_optimum_beats_greedy():
    # On a line (degrees of longitude): Q(-2) A(0) P(1) B(3); capacity 1.
    # Greedy in list order: A→P (1°), B→Q (5°) = 6°. Optimum: A→Q (2°), B→P (2°) = 4°.
    params = PartnerParams(partner_capacity=1)
    ms = [mentee("A", 0.0), mentee("B", 3.0)]
    ps = [partner("P", 1.0), partner("Q", -2.0)]
    g_pairs, g_total = greedy_nearest_first(ms, ps, params)
    assert g_pairs == {("A", "P"), ("B", "Q")}
    assert g_total == pytest.approx(6 * KM_PER_DEG)

    res = assign_partners(ms, ms + ps, params)
    assert res.pairs() == {("A", "Q"), ("B", "P")}
    assert res.matched_slots == 2
    assert res.total_distance_km == pytest.approx(4 * KM_PER_DEG, rel=1e-9)
    rows = by_mentee(res)
    assert rows["A"][0].distance_km == pytest.approx(2 * KM_PER_DEG)
    assert rows["B"][0].distance_km == pytest.approx(2 * KM_PER_DEG)
    assert all(m.reason is None and m.rank == 1 for m in res.matches)


def test_maximum_matching_takes_precedence_over_distance():
    # A (SOO) can only use P (SOO); B (OOO) could use P (1°) or Q (10°). Capacity 1.
    # Minimising distance alone would give B→P and leave A unmatched (total 1°);
    # the required optimum (most pairs first) matches both: A→P, B→Q (total 0.5° + 10°).
    params = PartnerParams(partner_capacity=1)
    ms = [mentee("B", 0.0, levels="NOO,OOO"), mentee("A", 1.5, levels="NOO,OOO,SOO")]
    ps = [partner("P", 1.0, levels="NOO,OOO,SOO"), partner("Q", 10.0, levels="OOO")]
    res = assign_partners(ms, ps, params)
    assert res.pairs() == {("A", "P"), ("B", "Q")}
    assert res.matched_slots == 2
    assert res.total_distance_km == pytest.approx(10.5 * KM_PER_DEG, rel=1e-9)
    rows = by_mentee(res)
    assert rows["A"][0].match_type == HORIZONTAL
    assert rows["B"][0].match_type == HORIZONTAL  # Q's highest level OOO == B's


def test_capacity_never_exceeded_and_capacity_reason():
    # Four mentees, one admissible partner of capacity 3: the three nearest get it.
    ms = [mentee(f"M{i}", float(i)) for i in range(4)]
    ps = [partner("P", 0.0)]
    res = assign_partners(ms, ps, PartnerParams())
    assert res.pairs() == {("M0", "P"), ("M1", "P"), ("M2", "P")}
    rows = by_mentee(res)
    assert rows["M3"][0].partner_id is None
    assert rows["M3"][0].reason == "все подходящие партнёры заняты (ёмкость 3)"
    assert res.total_distance_km == pytest.approx(3 * KM_PER_DEG)


def test_no_admissible_partner_reasons():
    ms = [
        mentee("SOO_MENTEE", 0.0, q=2, levels="NOO,OOO,SOO"),
        mentee("Q1_MENTEE", 0.0, q=1),
        mentee("NO_PASSPORT", 0.0, q=None),  # type: ignore[arg-type]
    ]
    ps = [
        partner("OOO_ONLY", 0.1, q=2, levels="NOO,OOO"),
        partner("RICH", 0.2, q=3, levels="NOO,OOO,SOO"),  # one quintile higher: not admissible
    ]
    rows = by_mentee(assign_partners(ms, ps, PartnerParams()))
    assert rows["SOO_MENTEE"][0].partner_id is None
    assert rows["SOO_MENTEE"][0].reason == (
        "нет школы-партнёра: нет школ с высокими результатами, не входивших в список ШНОР "
        "за последние 3 года, в том же или более низком квинтиле ИСБШ (1–2), реализующих уровень СОО"
    )
    assert rows["Q1_MENTEE"][0].reason == (
        "нет школы-партнёра: нет школ с высокими результатами, не входивших в список ШНОР "
        "за последние 3 года, в том же квинтиле ИСБШ (1)"
    )
    assert "не рассчитан ИСБШ" in rows["NO_PASSPORT"][0].reason


def test_empty_pool_reason():
    ms = [mentee("A", 0.0)]
    ps = [partner("P", 0.1, level="medium"), partner("R", 0.1, recently_listed=True)]
    res = assign_partners(ms, ps, PartnerParams(exclusion_years=3))
    assert res.matches[0].reason == (
        "нет школы-партнёра: нет школ с высокими результатами, не входивших в список ШНОР "
        "за последние 3 года"
    )


def test_admissibility_filters():
    m = mentee("A", 0.0, q=3, levels="NOO,OOO")
    ps = [
        partner("SAME_Q", 5.0, q=3),
        partner("LOWER_Q", 5.0, q=2),
        partner("HIGHER_Q", 0.01, q=4),  # nearest but better-off: excluded
        partner("TWO_LOWER", 0.01, q=1),  # excluded
        partner("MEDIUM", 0.01, level="medium"),  # excluded
        partner("LISTED", 0.01, recently_listed=True),  # excluded
        partner("NOO_ONLY", 0.01, levels="NOO"),  # does not offer OOO: excluded
        partner("VERT", 4.0, levels="NOO,OOO,SOO"),  # admissible, vertical
    ]
    res = assign_partners([m], ps, PartnerParams())
    assert res.pairs() == {("A", "VERT")}
    assert res.matches[0].match_type == VERTICAL
    assert res.admissible_counts["A"] == 3


def test_missing_coordinates_use_municipality_rule():
    # The mentee lacks coordinates: SAME_MUNI counts 25 km, OTHER_MUNI 250 km,
    # whatever their real coordinates.
    ms = [mentee("A", None, muni="Town")]
    ps = [partner("OTHER_MUNI", 0.0, muni="Village"), partner("SAME_MUNI", 30.0, muni="Town")]
    res = assign_partners(ms, ps, PartnerParams())
    assert res.pairs() == {("A", "SAME_MUNI")}
    assert res.matches[0].distance_km == 25.0

    # capacity 1 and two mentees without coordinates: one gets 25, the other 250
    ms2 = [mentee("A", None, muni="Town"), mentee("B", None, muni="Village")]
    ps2 = [partner("T", None, muni="Town"), partner("V", None, muni="Town")]
    res2 = assign_partners(ms2, ps2, PartnerParams(partner_capacity=1))
    d = {m.school_id: m.distance_km for m in res2.matches}
    assert d == {"A": 25.0, "B": 250.0}
    assert res2.total_distance_km == 275.0

    custom = PartnerParams(same_municipality_km=10, other_municipality_km=100)
    assert distance_km(ms2[0], ps2[0], custom) == 10
    assert distance_km(ms2[1], ps2[0], custom) == 100


def test_two_partners_per_school():
    params = PartnerParams(partners_per_school=2)
    ms = [mentee("A", 0.0), mentee("B", 100.0)]
    ps = [partner("P1", 0.5), partner("P2", -1.0), partner("P3", 3.0), partner("FAR", 99.0)]
    res = assign_partners(ms, ps, params)
    rows = by_mentee(res)
    assert [(r.rank, r.partner_id) for r in rows["A"]] == [(1, "P1"), (2, "P2")]
    assert [(r.rank, r.partner_id) for r in rows["B"]] == [(1, "FAR"), (2, "P3")]
    assert res.total_distance_km == pytest.approx((0.5 + 1.0 + 1.0 + 97.0) * KM_PER_DEG)


def test_two_partners_never_the_same_partner_twice():
    params = PartnerParams(partners_per_school=2, partner_capacity=3)
    ms = [mentee("A", 0.0), mentee("B", 50.0, levels="NOO,OOO,SOO")]
    ps = [partner("ONLY", 0.0)]  # A has a single admissible partner; B has none (SOO)
    rows = by_mentee(assign_partners(ms, ps, params))
    assert [(r.rank, r.partner_id) for r in rows["A"]] == [(1, "ONLY"), (2, None)]
    assert rows["A"][1].reason == "подходящих партнёров меньше, чем требуется: 1 из 2"
    assert [r.rank for r in rows["B"]] == [1, 2]
    assert all(
        r.partner_id is None and r.reason.startswith("нет школы-партнёра") for r in rows["B"]
    )


def test_two_partners_partial_capacity_reason():
    params = PartnerParams(partners_per_school=2, partner_capacity=1)
    ms = [mentee("A", 0.0), mentee("B", 1.0)]
    ps = [partner("P1", 0.5), partner("P2", 0.6), partner("P3", 0.7)]
    res = assign_partners(ms, ps, params)
    assert res.matched_slots == 3
    unmatched = [m for m in res.matches if m.partner_id is None]
    assert len(unmatched) == 1
    assert unmatched[0].reason == (
        "подобрано партнёров: 1 из 2; остальные подходящие партнёры заняты (ёмкость 1)"
    )


# --------------------------------------------------------------------------------------------- random


def random_instance(rng: random.Random, n_schools: int, n_listed: int, *, coords_share=0.9):
    munis = [f"M{i}" for i in range(max(2, n_schools // 50))]
    level_sets = ["NOO", "NOO,OOO", "NOO,OOO,SOO", "OOO,SOO"]
    schools = []
    for i in range(n_schools):
        has = rng.random() < coords_share
        schools.append(
            School(
                f"S{i:05d}",
                municipality=rng.choice(munis),
                latitude=rng.uniform(50, 60) if has else None,
                longitude=rng.uniform(30, 60) if has else None,
                levels=rng.choice(level_sets),
                isbsh_quintile=rng.randint(1, 5) if rng.random() > 0.02 else None,
                result_level=rng.choice(["low", "medium", "high", "high"]),
                recently_listed=rng.random() < 0.1,
            )
        )
    listed = rng.sample(range(n_schools), n_listed)
    mentees = []
    for i in listed:
        s = schools[i]
        schools[i] = School(**{**s.__dict__, "recently_listed": True})
        mentees.append(schools[i])
    return mentees, schools


def reference_optimum(mentees, schools, params):
    """Independent exact solver: networkx max-flow-min-cost on the full graph (integer metres)."""
    nx = pytest.importorskip("networkx")
    g = nx.DiGraph()
    for m in mentees:
        g.add_edge("s", ("m", m.school_id), capacity=params.partners_per_school, weight=0)
        for s in schools:
            if is_admissible(m, s):
                g.add_edge(
                    ("m", m.school_id),
                    ("p", s.school_id),
                    capacity=1,
                    weight=round(distance_km(m, s, params) * 1000),
                )
                g.add_edge(("p", s.school_id), "t", capacity=params.partner_capacity, weight=0)
    if "t" not in g:
        return 0, 0.0
    flow = nx.max_flow_min_cost(g, "s", "t")
    count = sum(flow["s"].values())
    return count, nx.cost_of_flow(g, flow) / 1000


def check_constraints(res, mentees, schools, params):
    by_id = {s.school_id: s for s in schools}
    load: dict[str, int] = {}
    for m in mentees:
        rows = [r for r in res.matches if r.school_id == m.school_id]
        assert [r.rank for r in rows] == list(range(1, params.partners_per_school + 1))
        partners = [r.partner_id for r in rows if r.partner_id is not None]
        assert len(partners) == len(set(partners)), "same partner twice"
        dists = [r.distance_km for r in rows if r.partner_id is not None]
        assert dists == sorted(dists)
        for r in rows:
            if r.partner_id is None:
                assert r.reason
                continue
            p = by_id[r.partner_id]
            assert is_admissible(m, p)
            assert r.reason is None
            assert r.distance_km == pytest.approx(distance_km(m, p, params))
            assert r.match_type == (HORIZONTAL if p.highest_level == m.highest_level else VERTICAL)
            load[p.school_id] = load.get(p.school_id, 0) + 1
    assert max(load.values(), default=0) <= params.partner_capacity


@pytest.mark.parametrize(
    ("seed", "n_schools", "n_listed", "pps", "cap"),
    [(1, 120, 30, 1, 3), (2, 150, 60, 2, 2), (3, 80, 40, 1, 1), (4, 200, 50, 2, 3)],
)
def test_random_instances_match_reference_optimum(seed, n_schools, n_listed, pps, cap):
    rng = random.Random(seed)
    mentees, schools = random_instance(rng, n_schools, n_listed)
    # a tiny initial candidate set forces several pricing rounds
    params = PartnerParams(partners_per_school=pps, partner_capacity=cap, candidates_per_mentee=1)
    res = assign_partners(mentees, schools, params)
    check_constraints(res, mentees, schools, params)
    count, cost = reference_optimum(mentees, schools, params)
    assert res.matched_slots == count
    assert res.total_distance_km == pytest.approx(cost, abs=1e-3 * max(count, 1))
    # the result does not depend on the size of the initial candidate set
    res2 = assign_partners(
        mentees, schools, PartnerParams(partners_per_school=pps, partner_capacity=cap)
    )
    assert res2.matched_slots == res.matched_slots
    assert res2.total_distance_km == pytest.approx(res.total_distance_km, abs=1e-6)


def test_accepts_mappings():
    rows = [
        {"school_id": "A", "municipality": "M", "latitude": 0.0, "longitude": 0.0,
         "levels": "NOO,OOO", "isbsh_quintile": 3, "result_level": "low", "recently_listed": True},
        {"school_id": "P", "municipality": "M", "latitude": float("nan"), "longitude": None,
         "levels": "NOO,OOO", "isbsh_quintile": 3.0, "result_level": "high", "recently_listed": None},
    ]  # fmt: skip
    res = assign_partners([rows[0]], rows, PartnerParams())
    assert res.pairs() == {("A", "P")}
    assert res.matches[0].distance_km == 25.0


def test_empty_inputs():
    assert assign_partners([], [], PartnerParams()).matches == []
    res = assign_partners([mentee("A", 0.0)], [], PartnerParams())
    assert res.matches[0].partner_id is None


def test_large_instance_is_fast():
    # a large region / small national slice: 12 000 schools, 900 listed
    rng = random.Random(7)
    mentees, schools = random_instance(rng, 12_000, 900)
    params = PartnerParams()
    t0 = time.perf_counter()
    res = assign_partners(mentees, schools, params)
    elapsed = time.perf_counter() - t0
    check_constraints(res, mentees, schools, params)
    assert elapsed < 30, elapsed
