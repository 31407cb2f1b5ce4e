"""Optimal partner (стажировочная) school assignment of SPEC §3.

Every school of the initial list (a *mentee*) gets up to ``partners_per_school`` partners. A
partner is *admissible* for a mentee when it

* has result level ``high``,
* was not on the initial list in any of the years Y-2 … Y (``recently_listed``; the caller
  computes it from var ``partner_exclusion_years``),
* is in the same ISBSh quintile as the mentee or one quintile lower (harder conditions),
* offers at least the mentee's highest level of education (NOO < OOO < SOO, compared by highest
  level), and
* serves at most ``partner_capacity`` mentees (a capacity, not an admissibility rule).

Objective (lexicographic): first maximise the number of matched (mentee, slot) pairs, then
minimise the total distance. The distance is the great-circle distance (haversine, mean Earth
radius) between the coordinates; where either school lacks them, ``same_municipality_km`` within
the same municipality and ``other_municipality_km`` across municipalities. A mentee never gets
the same partner twice.

Algorithm
---------
The problem is a min-cost flow (source → mentee, capacity ``partners_per_school``; mentee →
partner, capacity 1, cost = distance; partner → sink, capacity ``partner_capacity``; mentee →
sink "unmatched" arc with the big-M cost ``M = slots × D_max + 1``, which makes any extra match
worth more than any possible saving in distance, so the optimum is lexicographic). Its
constraint matrix is a network matrix (totally unimodular), so a *basic* optimal solution of the
LP relaxation is integral: we solve the LP with the HiGHS dual simplex (``scipy.optimize.linprog``,
``method="highs-ds"``) and read the integral vertex.

At national scale (≈40 000 schools, a few thousand mentees, ≈10 000 high-result candidates) the
full admissible edge set has 10⁷ edges — too many for an LP. We therefore use *column
generation* (delayed pricing), which keeps the result exact:

1. Restricted problem: for every mentee only its ``candidates_per_mentee`` nearest admissible
   partners (computed in vectorised chunks, grouped by the mentee's (quintile, level) type, since
   admissibility depends only on the type).
2. Solve the restricted LP; take the duals ``y_m`` (mentee rows) and ``z_p ≤ 0`` (partner capacity
   rows).
3. Pricing: scan *all* admissible (mentee, partner) pairs in chunks and compute the reduced cost
   ``d_mp − y_m − z_p``. If none is negative, the restricted optimum is optimal for the full
   problem (LP optimality conditions) and we stop; otherwise add, per mentee, the most negative
   pairs and go to 2.

Complexity: each pricing pass is O(mentees × admissible candidates) vectorised numpy work (≈ 3·10⁷
haversines nationally, about a second); the LP has O(mentees × k) columns (≈ 5·10⁴), which HiGHS
solves in well under a second; in practice one to three rounds are needed. A region (600–3000
schools, ~100 mentees) solves in milliseconds. Memory is bounded by the chunk size.

Determinism: inputs are sorted by ``school_id`` before solving; among equally good assignments
(e.g. all distances 25 km by the fallback rule) the solver's choice is deterministic for the same
input but otherwise arbitrary.

The module is pure Python (numpy/scipy); it knows nothing about dbt or DuckDB.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius

LEVEL_RANK: dict[str, int] = {"NOO": 1, "OOO": 2, "SOO": 3}
LEVEL_RU: dict[int, str] = {1: "НОО", 2: "ООО", 3: "СОО"}

HORIZONTAL = "horizontal"
VERTICAL = "vertical"


@dataclass(frozen=True)
class PartnerParams:
    """Parameters of the assignment (dbt vars of the same names)."""

    partners_per_school: int = 1
    partner_capacity: int = 3
    same_municipality_km: float = 25.0
    other_municipality_km: float = 250.0
    exclusion_years: int = 3  # only used in the wording of the reasons
    # Size of the initial candidate set per mentee (column generation); does not change the result.
    candidates_per_mentee: int = 16
    chunk_cells: int = 4_000_000  # mentee × partner cells computed at once
    kept_cells: int = 32_000_000  # distances kept between pricing rounds up to this (256 MiB)

    def __post_init__(self) -> None:
        if self.partners_per_school < 1:
            raise ValueError("partners_per_school must be >= 1")
        if self.partner_capacity < 1:
            raise ValueError("partner_capacity must be >= 1")
        if self.same_municipality_km < 0 or self.other_municipality_km < 0:
            raise ValueError("fallback distances must be non-negative")


@dataclass(frozen=True)
class School:
    """A school as the assignment sees it (mentee or candidate partner)."""

    school_id: str
    municipality: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    levels: str | Iterable[str] | None = None  # "NOO,OOO,SOO" or an iterable of codes
    isbsh_quintile: int | None = None
    result_level: str | None = None  # low / medium / high
    recently_listed: bool = False  # on the initial list in any of Y-2 … Y

    @property
    def highest_level(self) -> int:
        return highest_level(self.levels)


@dataclass(frozen=True)
class PartnerMatch:
    """One row of the result: mentee × rank."""

    school_id: str
    rank: int
    partner_id: str | None
    match_type: str | None
    distance_km: float | None
    reason: str | None


@dataclass
class AssignmentResult:
    matches: list[PartnerMatch]
    matched_slots: int
    total_distance_km: float
    pricing_rounds: int
    edges_in_lp: int
    admissible_counts: dict[str, int] = field(default_factory=dict)

    def pairs(self) -> set[tuple[str, str]]:
        return {(m.school_id, m.partner_id) for m in self.matches if m.partner_id is not None}


# --------------------------------------------------------------------------------------------
# helpers


def highest_level(levels: str | Iterable[str] | None) -> int:
    """0 when unknown, else 1 (NOO), 2 (OOO) or 3 (SOO)."""
    if levels is None:
        return 0
    if isinstance(levels, str):
        items: Iterable[str] = levels.replace(";", ",").split(",")
    else:
        items = levels
    ranks = [LEVEL_RANK.get(str(x).strip().upper(), 0) for x in items if x is not None]
    return max(ranks, default=0)


def _is_missing(x: Any) -> bool:
    """None, NaN, pandas NA/NaT (without importing pandas)."""
    if x is None or type(x).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(x, float) and math.isnan(x)


def _float_or_nan(x: Any) -> float:
    if _is_missing(x):
        return math.nan
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _int_or_zero(x: Any) -> int:
    v = _float_or_nan(x)
    return 0 if math.isnan(v) else int(v)


def _clean_str(x: Any) -> str | None:
    if _is_missing(x):
        return None
    s = str(x).strip()
    return s or None


def _bool(x: Any) -> bool:
    return False if _is_missing(x) else bool(x)


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (broadcasting); NaN where a coordinate is missing."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class _Arrays:
    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    muni: np.ndarray  # int codes, -1 = unknown
    quintile: np.ndarray  # 0 = unknown
    level: np.ndarray  # 0 = unknown


def _arrays(schools: Sequence[School], muni_codes: dict[str, int]) -> _Arrays:
    def code(m: str | None) -> int:
        if m is None:
            return -1
        return muni_codes.setdefault(m, len(muni_codes))

    return _Arrays(
        ids=[s.school_id for s in schools],
        lat=np.array([_float_or_nan(s.latitude) for s in schools], dtype=float),
        lon=np.array([_float_or_nan(s.longitude) for s in schools], dtype=float),
        muni=np.array([code(_clean_str(s.municipality)) for s in schools], dtype=np.int64),
        quintile=np.array([_int_or_zero(s.isbsh_quintile) for s in schools], dtype=np.int64),
        level=np.array([s.highest_level for s in schools], dtype=np.int64),
    )


def _distances(
    m: _Arrays, mi: np.ndarray, p: _Arrays, pj: np.ndarray, params: PartnerParams
) -> np.ndarray:
    """Distance matrix (len(mi) × len(pj)) in km by the SPEC rule."""
    d = haversine_km(m.lat[mi][:, None], m.lon[mi][:, None], p.lat[pj][None, :], p.lon[pj][None, :])
    missing = np.isnan(d)
    if missing.any():
        mm = m.muni[mi][:, None]
        pm = p.muni[pj][None, :]
        same = (mm == pm) & (mm >= 0)
        fallback = np.where(same, params.same_municipality_km, params.other_municipality_km)
        d = np.where(missing, fallback, d)
    return d


def _as_school(x: School | Mapping[str, Any]) -> School:
    if isinstance(x, School):
        return x
    g = x.get
    lat, lon = _float_or_nan(g("latitude")), _float_or_nan(g("longitude"))
    return School(
        school_id=str(g("school_id")),
        municipality=_clean_str(g("municipality")),
        latitude=None if math.isnan(lat) else lat,
        longitude=None if math.isnan(lon) else lon,
        levels=_clean_str(g("levels")),
        isbsh_quintile=_int_or_zero(g("isbsh_quintile")) or None,
        result_level=_clean_str(g("result_level")),
        recently_listed=_bool(g("recently_listed")),
    )


# --------------------------------------------------------------------------------------------
# reasons (plain Russian)


def _plural_years(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "года"
    return "лет"


def _no_partner_reason(quintile: int, level: int, pool: _Arrays, params: PartnerParams) -> str:
    """Why a mentee has no admissible partner at all: name the first filter that empties the pool."""
    if quintile == 0:
        return "нет школы-партнёра: для школы не рассчитан ИСБШ (нет социального паспорта)"
    if level == 0:
        return "нет школы-партнёра: для школы не указаны уровни образования"
    years = params.exclusion_years
    pool_txt = (
        f"нет школ с высокими результатами, не входивших в список ШНОР за последние {years} "
        f"{_plural_years(years)}"
    )
    if len(pool.ids) == 0:
        return f"нет школы-партнёра: {pool_txt}"
    q_ok = (pool.quintile == quintile) | (pool.quintile == quintile - 1)
    quint_txt = (
        f"в том же квинтиле ИСБШ ({quintile})"
        if quintile == 1
        else f"в том же или более низком квинтиле ИСБШ ({quintile - 1}–{quintile})"
    )
    if not q_ok.any():
        return f"нет школы-партнёра: {pool_txt}, {quint_txt}"
    return f"нет школы-партнёра: {pool_txt}, {quint_txt}, реализующих уровень {LEVEL_RU[level]}"


def _capacity_reason(matched: int, params: PartnerParams) -> str:
    cap = params.partner_capacity
    if matched == 0:
        return f"все подходящие партнёры заняты (ёмкость {cap})"
    return (
        f"подобрано партнёров: {matched} из {params.partners_per_school}; "
        f"остальные подходящие партнёры заняты (ёмкость {cap})"
    )


def _shortage_reason(admissible: int, params: PartnerParams) -> str:
    return (
        f"подходящих партнёров меньше, чем требуется: {admissible} из {params.partners_per_school}"
    )


# --------------------------------------------------------------------------------------------
# solver


def _solve_lp(
    em: np.ndarray,
    ep: np.ndarray,
    ed: np.ndarray,
    n_active: int,
    n_pool: int,
    pps: int,
    cap: int,
    big_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Restricted LP. Returns (x per edge, unmatched per mentee, mentee duals, partner duals)."""
    n_e = len(em)
    n_var = n_e + n_active
    c = np.concatenate([ed, np.full(n_active, big_m)])
    # equality: per active mentee  Σ x_e + u_m = pps
    rows = np.concatenate([em, np.arange(n_active)])
    cols = np.arange(n_var)
    a_eq = sparse.csr_matrix((np.ones(n_var), (rows, cols)), shape=(n_active, n_var))
    b_eq = np.full(n_active, float(pps))
    # inequality: per pool partner  Σ x_e <= cap
    a_ub = sparse.csr_matrix((np.ones(n_e), (ep, np.arange(n_e))), shape=(n_pool, n_var))
    b_ub = np.full(n_pool, float(cap))
    bounds = np.column_stack(
        [np.zeros(n_var), np.concatenate([np.ones(n_e), np.full(n_active, float(pps))])]
    )
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs-ds",
    )
    if res.status != 0:  # pragma: no cover - the problem is always feasible (u_m = pps)
        raise RuntimeError(f"partner assignment LP failed: {res.message}")
    x = np.asarray(res.x)
    if np.any(np.abs(x - np.round(x)) > 1e-6):  # pragma: no cover - TU guarantees integrality
        raise RuntimeError("partner assignment LP returned a fractional solution")
    x = np.round(x).astype(np.int64)
    return x[:n_e], x[n_e:], np.asarray(res.eqlin.marginals), np.asarray(res.ineqlin.marginals)


def assign_partners(
    mentees: Sequence[School | Mapping[str, Any]],
    schools: Sequence[School | Mapping[str, Any]],
    params: PartnerParams | None = None,
) -> AssignmentResult:
    """Assign partners to ``mentees`` among ``schools`` (all schools of the year; the admissibility
    filters are applied here). Returns one :class:`PartnerMatch` per mentee and rank
    1 … ``partners_per_school``: matched ranks first (ordered by distance), then the unmatched
    ranks with ``partner_id = None`` and the reason."""
    params = params or PartnerParams()
    pps, cap = params.partners_per_school, params.partner_capacity

    mentee_list = sorted((_as_school(m) for m in mentees), key=lambda s: s.school_id)
    ids = [m.school_id for m in mentee_list]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate mentee school_id")
    mentee_ids = set(ids)
    pool_list = sorted(
        (
            s
            for s in (_as_school(x) for x in schools)
            if s.result_level == "high"
            and not s.recently_listed
            and s.school_id not in mentee_ids
            and s.isbsh_quintile is not None
            and 1 <= s.isbsh_quintile <= 5
            and s.highest_level > 0
        ),
        key=lambda s: s.school_id,
    )
    pool_ids = [s.school_id for s in pool_list]
    if len(set(pool_ids)) != len(pool_ids):
        raise ValueError("duplicate candidate school_id")

    muni_codes: dict[str, int] = {}
    m = _arrays(mentee_list, muni_codes)
    p = _arrays(pool_list, muni_codes)
    n_m, n_p = len(ids), len(pool_ids)

    # admissible partner indices per mentee type (quintile, level)
    type_adm: dict[tuple[int, int], np.ndarray] = {}
    type_members: dict[tuple[int, int], np.ndarray] = {}
    for q in range(1, 6):
        for lvl in range(1, 4):
            members = np.flatnonzero((m.quintile == q) & (m.level == lvl))
            if members.size == 0:
                continue
            adm = np.flatnonzero(((p.quintile == q) | (p.quintile == q - 1)) & (p.level >= lvl))
            type_members[(q, lvl)] = members
            type_adm[(q, lvl)] = adm

    n_adm = np.zeros(n_m, dtype=np.int64)
    for key, members in type_members.items():
        n_adm[members] = type_adm[key].size
    active = np.flatnonzero(n_adm > 0)  # mentees with at least one admissible partner
    active_pos = np.full(n_m, -1, dtype=np.int64)
    active_pos[active] = np.arange(active.size)

    def computed_chunks() -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(mentee indices, admissible partner indices, distance matrix) blocks."""
        for key, members in type_members.items():
            adm = type_adm[key]
            if adm.size == 0:
                continue
            step = max(1, params.chunk_cells // adm.size)
            for start in range(0, members.size, step):
                mi = members[start : start + step]
                yield mi, adm, _distances(m, mi, p, adm, params)

    # Every pricing round walks all blocks: keep them when they fit the memory budget, instead of
    # computing the same great-circle distances again each round.
    total_cells = sum(members.size * type_adm[key].size for key, members in type_members.items())
    kept = list(computed_chunks()) if total_cells <= params.kept_cells else None

    def chunks() -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return kept if kept is not None else computed_chunks()

    # initial candidate set: k nearest admissible partners per mentee
    k0 = max(params.candidates_per_mentee, pps + 1)
    e_m: list[np.ndarray] = []
    e_p: list[np.ndarray] = []
    e_d: list[np.ndarray] = []
    d_max = 0.0
    for mi, adm, d in chunks():
        d_max = max(d_max, float(d.max()))
        k = min(k0, adm.size)
        if k < adm.size:
            part = np.argpartition(d, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(adm.size), (mi.size, adm.size))
        rows = np.repeat(mi, k)
        cols = part.reshape(-1)
        e_m.append(active_pos[rows])
        e_p.append(adm[cols])
        e_d.append(np.take_along_axis(d, part, axis=1).reshape(-1))

    em = np.concatenate(e_m) if e_m else np.zeros(0, dtype=np.int64)
    ep = np.concatenate(e_p) if e_p else np.zeros(0, dtype=np.int64)
    ed = np.concatenate(e_d) if e_d else np.zeros(0, dtype=float)

    slots = int(active.size) * pps
    big_m = slots * max(d_max, 1.0) + 1.0
    rounds = 0
    x = np.zeros(0, dtype=np.int64)
    if active.size:
        width = max(n_p, 1)
        present = np.unique(em * width + ep)  # pair keys already in the LP (sorted)
        tol = 1e-9 * big_m + 1e-7
        while True:
            rounds += 1
            x, _u, y, z = _solve_lp(em, ep, ed, active.size, n_p, pps, cap, big_m)
            new_m: list[np.ndarray] = []
            new_p: list[np.ndarray] = []
            new_d: list[np.ndarray] = []
            for mi, adm, d in chunks():
                a = active_pos[mi]
                red = d - y[a][:, None] - z[adm][None, :]
                neg = red < -tol
                if not neg.any():
                    continue
                r_idx, c_idx = np.nonzero(neg)
                in_lp = np.isin(a[r_idx] * width + adm[c_idx], present, assume_unique=False)
                neg[r_idx[in_lp], c_idx[in_lp]] = False
                if not neg.any():
                    continue
                # per mentee, the k0 most negative reduced costs among the violators
                red_masked = np.where(neg, red, np.inf)
                k = min(k0, adm.size)
                if k < adm.size:
                    part = np.argpartition(red_masked, k - 1, axis=1)[:, :k]
                else:
                    part = np.broadcast_to(np.arange(adm.size), red_masked.shape)
                sel = np.isfinite(np.take_along_axis(red_masked, part, axis=1))
                rr = np.nonzero(sel)[0]
                cc = part[sel]
                new_m.append(a[rr])
                new_p.append(adm[cc])
                new_d.append(d[rr, cc])
            if not new_m:
                break
            nm, npp, nd = np.concatenate(new_m), np.concatenate(new_p), np.concatenate(new_d)
            present = np.union1d(present, nm * width + npp)
            em = np.concatenate([em, nm])
            ep = np.concatenate([ep, npp])
            ed = np.concatenate([ed, nd])

    # assemble the rows
    chosen = np.flatnonzero(x > 0) if x.size else np.zeros(0, dtype=np.int64)
    by_mentee: dict[int, list[tuple[float, str, int]]] = {}
    for e in chosen.tolist():
        ai = int(em[e])
        pj = int(ep[e])
        by_mentee.setdefault(ai, []).append((float(ed[e]), pool_ids[pj], pj))

    matches: list[PartnerMatch] = []
    total = 0.0
    matched_slots = 0
    for i, sid in enumerate(ids):
        got = sorted(by_mentee.get(int(active_pos[i]), [])) if active_pos[i] >= 0 else []
        rank = 0
        for dist, pid, pj in got:
            rank += 1
            matched_slots += 1
            total += dist
            mtype = HORIZONTAL if p.level[pj] == m.level[i] else VERTICAL
            matches.append(PartnerMatch(sid, rank, pid, mtype, dist, None))
        for r in range(rank + 1, pps + 1):
            if n_adm[i] == 0:
                reason = _no_partner_reason(int(m.quintile[i]), int(m.level[i]), p, params)
            elif r <= n_adm[i]:
                reason = _capacity_reason(rank, params)
            else:
                reason = _shortage_reason(int(n_adm[i]), params)
            matches.append(PartnerMatch(sid, r, None, None, None, reason))

    return AssignmentResult(
        matches=matches,
        matched_slots=matched_slots,
        total_distance_km=total,
        pricing_rounds=rounds,
        edges_in_lp=int(em.size),
        admissible_counts={sid: int(n_adm[i]) for i, sid in enumerate(ids)},
    )


def is_admissible(mentee: School, partner: School) -> bool:
    """The admissibility rule alone (capacity aside); used by tests and checks."""
    return (
        partner.school_id != mentee.school_id
        and partner.result_level == "high"
        and not partner.recently_listed
        and mentee.isbsh_quintile is not None
        and partner.isbsh_quintile is not None
        and partner.isbsh_quintile in (mentee.isbsh_quintile, mentee.isbsh_quintile - 1)
        and mentee.highest_level > 0
        and partner.highest_level >= mentee.highest_level
    )


def distance_km(a: School, b: School, params: PartnerParams | None = None) -> float:
    """The SPEC distance between two schools (haversine or the municipality fallback)."""
    params = params or PartnerParams()
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        same = a.municipality is not None and a.municipality == b.municipality
        return params.same_municipality_km if same else params.other_municipality_km
    return float(
        haversine_km(
            np.array(a.latitude, dtype=float),
            np.array(a.longitude, dtype=float),
            np.array(b.latitude, dtype=float),
            np.array(b.longitude, dtype=float),
        )
    )
