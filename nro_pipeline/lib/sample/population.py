"""The synthetic schools themselves: place, levels, size, social conditions and ability over time.

Everything the yearly files are drawn from is decided here once, so the registry, passport, VPR
and GIA of a year agree with each other and with the other years:

* a latent social well-being per school (standard normal; higher is better) that is lower in
  rural and remote places and drives both the passport shares and the results;
* an ability per school and year, ``theta = 0.6·wellbeing + school effect + year noise``, which
  sets every failure probability (about 9 % VPR «2» at theta = 0); planted schools get a fixed
  level instead;
* a size per school and entering cohort, so the same class is followed from grade to grade;
* the planted cases the tests and the marts look for (always low, recovering, resilient, small
  rural, one merger).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nro_pipeline.lib.sample.geography import (
    ROAD_FACTOR,
    Municipality,
    make_municipalities,
    municipality_weights,
    offset_point,
    school_name,
)

SCHOOLS_PER_MUNICIPALITY = 30
SENIOR_STAY_RATE = 0.55  # share of a grade-9 cohort that goes on to grades 10–11
MISSING_COORDINATES_RATE = 0.04

WELLBEING_WEIGHT = 0.6
SCHOOL_EFFECT_SD = 0.4
YEAR_NOISE_SD = 0.25
# Theta of the planted schools (plus half the year noise): LOW_LEVEL gives about 40–60 % VPR «2»
# in grades 5–6, RECOVERED_LEVEL about 6 %, RESILIENT_LEVEL about 2 %.
LOW_LEVEL = -2.4
RECOVERED_LEVEL = 0.5
RESILIENT_LEVEL = 1.6
MIN_PLANTED_CLASS = 12  # pupils per grade of an always-low, recovering or resilient school

TOP_GRADE = {"NOO": 4, "NOO,OOO": 9, "NOO,OOO,SOO": 11}


@dataclass(frozen=True)
class MergerPlan:
    old: int  # school index
    successor: int
    year: int  # the registry of this year names the successor; the old school is gone afterwards


@dataclass(frozen=True)
class Archetypes:
    """Indices of the planted schools (disjoint except that the merged school is small rural)."""

    always_low: np.ndarray
    recovering: np.ndarray  # low in the first half of the years, fine afterwards
    resilient: np.ndarray  # hard social conditions, high results
    small_rural: np.ndarray  # a handful of pupils per grade: small-n procedures


@dataclass
class Population:
    years: tuple[int, ...]
    ids: list[str]
    names: list[str]
    municipalities: list[Municipality]
    municipality: np.ndarray  # index into municipalities
    urban: np.ndarray  # bool: город / село
    levels: list[str]
    top_grade: np.ndarray  # 4, 9 or 11
    lat: np.ndarray  # true position; the registry leaves some empty (registry_lat)
    lon: np.ndarray
    has_coordinates: np.ndarray  # bool
    distance_km: np.ndarray  # by road to the municipality centre
    wellbeing: np.ndarray
    theta: np.ndarray  # schools × years
    cohort_effect: np.ndarray  # schools × cohorts: a class stays stronger/weaker as it moves up
    cohort_size: np.ndarray  # schools × cohorts: pupils per grade 1–9
    first_cohort: int  # cohort = year − grade
    passport_noise: np.ndarray  # schools × 10: persistent school deviation of passport indicators
    non_native: np.ndarray  # bool: a municipality with many non-native Russian speakers
    archetypes: Archetypes
    merger: MergerPlan | None

    @property
    def size(self) -> int:
        return len(self.ids)

    def year_index(self, year: int) -> int:
        return self.years.index(year)

    def active(self, year: int) -> np.ndarray:
        """Schools in the registry (and results) of `year`: all but a merged school afterwards."""
        mask = np.ones(self.size, dtype=bool)
        if self.merger is not None and year > self.merger.year:
            mask[self.merger.old] = False
        return mask

    def class_sizes(self, year: int, grade: int) -> np.ndarray:
        """Pupils in `grade` of every school in `year` (0 where the school has no such grade)."""
        column = year - grade - self.first_cohort
        sizes = self.cohort_size[:, column].astype(np.int64)
        if grade >= 10:
            sizes = np.rint(sizes * SENIOR_STAY_RATE).astype(np.int64)
        sizes[self.top_grade < grade] = 0
        if self.merger is not None and year > self.merger.year:
            # The merged school's pupils now study at (and sit their exams for) the successor.
            sizes[self.merger.successor] += sizes[self.merger.old]
            sizes[self.merger.old] = 0
        return sizes

    def students_total(self, year: int) -> np.ndarray:
        return sum((self.class_sizes(year, grade) for grade in range(1, 12)), np.zeros(self.size))


def build_population(schools: int, years: Sequence[int], seed: int) -> Population:
    # One generator drawn in a fixed order: the same seed gives the same region, file for file.
    rng = np.random.default_rng([seed, 0])
    years = tuple(years)
    n = schools
    places = _places(rng, n)
    small_rural = _small_rural(rng, places, n)
    is_small = np.zeros(n, dtype=bool)
    is_small[small_rural] = True
    levels = _levels(rng, places.urban, places.in_centre, is_small)
    top_grade = np.array([TOP_GRADE[lv] for lv in levels])
    wellbeing = _wellbeing(rng, places)

    first_cohort = min(years) - 11
    cohorts = max(years) - 1 - first_cohort + 1
    cohort_size = _cohort_sizes(rng, places.urban, places.in_centre, is_small, top_grade, cohorts)
    regular = (top_grade >= 9) & ~is_small
    # Planted schools need classes big enough that «low» or «high» is not sampling luck.
    sizeable = regular & (cohort_size.mean(axis=1) >= MIN_PLANTED_CLASS)
    resilient, always_low, recovering, taken = _planted(rng, sizeable, wellbeing, n)
    theta = _theta(rng, wellbeing, len(years), resilient, always_low, recovering)
    cohort_effect = rng.normal(0.0, 0.25, (n, cohorts))

    lat, lon = _coordinates(rng, places.municipalities, places.municipality, places.distance)
    has_coordinates = rng.random(n) >= MISSING_COORDINATES_RATE
    names = _names(rng, places.municipality, places.urban, levels)
    merger = _merger(
        rng, years, places.municipality, lat, lon, levels, is_small, taken, regular, top_grade
    )
    non_native_municipality = rng.random(len(places.municipalities)) < 0.15
    return Population(
        years=years,
        ids=[f"sch{350001 + i}" for i in range(n)],
        names=names,
        municipalities=places.municipalities,
        municipality=places.municipality,
        urban=places.urban,
        levels=levels,
        top_grade=top_grade,
        lat=lat,
        lon=lon,
        has_coordinates=has_coordinates,
        distance_km=np.round(places.distance, 1),
        wellbeing=wellbeing,
        theta=theta,
        cohort_effect=cohort_effect,
        cohort_size=cohort_size,
        first_cohort=first_cohort,
        passport_noise=rng.normal(0.0, 0.25, (n, 10)),
        non_native=non_native_municipality[places.municipality],
        archetypes=Archetypes(
            always_low=always_low,
            recovering=recovering,
            resilient=resilient,
            small_rural=small_rural,
        ),
        merger=merger,
    )


@dataclass(frozen=True)
class _Places:
    municipalities: list[Municipality]
    municipality: np.ndarray  # per school: index into municipalities
    urban_district: np.ndarray  # per school: its municipality is an urban district
    in_centre: np.ndarray  # per school: in the municipality's centre
    urban: np.ndarray
    distance: np.ndarray  # km by road to the centre


def _places(rng: np.random.Generator, n: int) -> _Places:
    municipalities = make_municipalities(max(2, round(n / SCHOOLS_PER_MUNICIPALITY)), rng)
    municipality = np.sort(
        rng.choice(len(municipalities), size=n, p=municipality_weights(municipalities, rng))
    )
    urban_district = np.array([m.urban for m in municipalities])[municipality]
    # Locality: every school of an urban district is urban; in a rural district about a quarter
    # stand in the district centre (a town), the rest in villages at a road distance from it.
    in_centre = urban_district | (rng.random(n) < 0.25)
    distance = np.where(
        urban_district,
        rng.uniform(0.5, 9.0, n),
        np.where(in_centre, rng.uniform(0.3, 4.0, n), 3.0 + rng.gamma(2.0, 14.0, n)),
    )
    return _Places(
        municipalities=municipalities,
        municipality=municipality,
        urban_district=urban_district,
        in_centre=in_centre,
        urban=in_centre.copy(),
        distance=np.minimum(distance, 160.0),
    )


def _small_rural(rng: np.random.Generator, places: _Places, n: int) -> np.ndarray:
    """The remotest villages' schools: a handful of pupils per grade."""
    rural = ~places.urban
    remote = places.distance > np.median(places.distance[rural] if rural.any() else 0)
    return _pick(rng, rural & remote, max(2, round(0.08 * n)))


def _wellbeing(rng: np.random.Generator, places: _Places) -> np.ndarray:
    """Towns better than villages, remoteness worse, plus municipality and school variation;
    standardised so the planted levels mean the same in every region size."""
    municipality_effect = rng.normal(0.0, 0.3, len(places.municipalities))[places.municipality]
    raw = (
        np.where(places.urban_district, 0.6, np.where(places.urban, 0.1, -0.5))
        - 0.01 * places.distance
        + municipality_effect
        + rng.normal(0.0, 0.75, len(places.municipality))
    )
    return (raw - raw.mean()) / (raw.std() or 1.0)


def _planted(
    rng: np.random.Generator, sizeable: np.ndarray, wellbeing: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Resilient, always-low and recovering schools (disjoint), and the mask of all three."""
    poorer_third = wellbeing < np.quantile(wellbeing, 0.3)
    poorer_half = wellbeing < np.median(wellbeing)
    resilient = _pick(rng, sizeable & poorer_third, max(1, round(0.03 * n)))
    taken = np.zeros(n, dtype=bool)
    taken[resilient] = True
    always_low = _pick(rng, sizeable & poorer_half & ~taken, max(1, round(0.02 * n)))
    taken[always_low] = True
    recovering = _pick(rng, sizeable & poorer_half & ~taken, max(1, round(0.02 * n)))
    taken[recovering] = True
    return resilient, always_low, recovering, taken


def _theta(
    rng: np.random.Generator,
    wellbeing: np.ndarray,
    years: int,
    resilient: np.ndarray,
    always_low: np.ndarray,
    recovering: np.ndarray,
) -> np.ndarray:
    """Ability per school and year; the planted schools at their fixed levels."""
    theta, year_noise = _ability(rng, wellbeing, years)
    # Planted schools keep half the year-to-year wobble: enough to look real, never enough to
    # lift an always-low school off the list by chance.
    wobble = year_noise / 2
    theta[resilient] = RESILIENT_LEVEL + wobble[resilient]
    theta[always_low] = LOW_LEVEL + wobble[always_low]
    low_years = max(1, years // 2)
    theta[recovering, :low_years] = LOW_LEVEL + wobble[recovering, :low_years]
    theta[recovering, low_years:] = RECOVERED_LEVEL + wobble[recovering, low_years:]
    return theta


def _pick(rng: np.random.Generator, eligible: np.ndarray, count: int) -> np.ndarray:
    candidates = np.flatnonzero(eligible)
    count = min(count, len(candidates))
    return np.sort(rng.choice(candidates, size=count, replace=False))


def _levels(
    rng: np.random.Generator, urban: np.ndarray, in_centre: np.ndarray, small: np.ndarray
) -> list[str]:
    options = ("NOO", "NOO,OOO", "NOO,OOO,SOO")
    result = []
    for is_urban, centre, is_small in zip(urban, in_centre, small, strict=True):
        if is_small:
            p = (0.3, 0.7, 0.0)
        elif is_urban and centre:
            p = (0.03, 0.07, 0.9)
        else:
            p = (0.12, 0.4, 0.48)
        result.append(options[rng.choice(3, p=p)])
    return result


def _ability(
    rng: np.random.Generator, wellbeing: np.ndarray, years: int
) -> tuple[np.ndarray, np.ndarray]:
    n = len(wellbeing)
    school_effect = rng.normal(0.0, SCHOOL_EFFECT_SD, n)
    year_noise = rng.normal(0.0, YEAR_NOISE_SD, (n, years))
    theta = (WELLBEING_WEIGHT * wellbeing + school_effect)[:, None] + year_noise
    return theta, year_noise


def _cohort_sizes(
    rng: np.random.Generator,
    urban: np.ndarray,
    in_centre: np.ndarray,
    small: np.ndarray,
    top_grade: np.ndarray,
    cohorts: int,
) -> np.ndarray:
    n = len(urban)
    base = np.where(
        urban,
        np.where(
            in_centre, rng.lognormal(math.log(60.0), 0.35, n), rng.lognormal(math.log(40), 0.35, n)
        ),
        rng.lognormal(math.log(14.0), 0.45, n),
    )
    base = np.where(top_grade == 4, base * 0.7, base)  # primary-only schools are smaller
    base = np.where(small, rng.uniform(1.5, 5.5, n), np.maximum(base, 5.0))
    # Villages lose pupils: each later cohort is about 1.5 % smaller.
    trend = np.where(urban, 1.0, 0.985)[:, None] ** np.arange(cohorts)[None, :]
    wobble = np.exp(rng.normal(0.0, 0.12, (n, cohorts)))
    return rng.poisson(base[:, None] * trend * wobble)


def _coordinates(
    rng: np.random.Generator,
    municipalities: list[Municipality],
    municipality: np.ndarray,
    distance: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    bearings = rng.uniform(0.0, 2 * math.pi, len(municipality))
    lat = np.empty(len(municipality))
    lon = np.empty(len(municipality))
    for i, (m, km, bearing) in enumerate(zip(municipality, distance, bearings, strict=True)):
        centre = municipalities[m]
        lat[i], lon[i] = offset_point(centre.lat, centre.lon, km / ROAD_FACTOR, bearing)
    return np.round(lat, 6), np.round(lon, 6)


def _names(
    rng: np.random.Generator, municipality: np.ndarray, urban: np.ndarray, levels: list[str]
) -> list[str]:
    names = []
    number_in_municipality: dict[int, int] = {}
    for i, (m, is_urban, lv) in enumerate(zip(municipality, urban, levels, strict=True)):
        number = number_in_municipality.get(int(m), 0) + 1
        number_in_municipality[int(m)] = number
        names.append(school_name(bool(is_urban), lv, number, rng, village_index=i))
    return names


def _merger(
    rng: np.random.Generator,
    years: tuple[int, ...],
    municipality: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    levels: list[str],
    small: np.ndarray,
    planted: np.ndarray,
    regular: np.ndarray,
    top_grade: np.ndarray,
) -> MergerPlan | None:
    """A small basic (NOO,OOO) village school joins the nearest ordinary school of its district."""
    if len(years) < 2:
        return None
    olds = [i for i in np.flatnonzero(small) if levels[i] == "NOO,OOO"]
    for old in rng.permutation(olds):
        candidates = np.flatnonzero(
            (municipality == municipality[old]) & regular & ~planted & (top_grade >= 9)
        )
        if len(candidates):
            nearest = candidates[
                np.argmin(np.hypot(lat[candidates] - lat[old], lon[candidates] - lon[old]))
            ]
            return MergerPlan(int(old), int(nearest), years[(len(years) - 1) // 2])
    return None
