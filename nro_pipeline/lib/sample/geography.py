"""Where the synthetic schools are: municipalities, their centres, school places and names.

The region is an invented one in the north of European Russia (about 58.6–61.2° N, 36–46° E):
a few urban districts (городские округа) with large schools and many rural districts whose schools
are spread around a district centre, some of them far from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LAT_RANGE = (58.6, 61.2)
LON_RANGE = (36.0, 46.0)
KM_PER_DEGREE = 111.2
ROAD_FACTOR = 1.25  # road distance / great-circle distance on rural roads

_CITY_ROOTS = (
    "Северогорск",
    "Заречный",
    "Красноозёрск",
    "Новоладожск",
    "Белокаменск",
    "Сосновоборск",
)
_DISTRICT_ROOTS = (
    "Берёзовский",
    "Верхнеречный",
    "Заозёрный",
    "Ивановский",
    "Каменский",
    "Лесной",
    "Междуреченский",
    "Никольский",
    "Озёрский",
    "Подгорный",
    "Покровский",
    "Приозёрный",
    "Речной",
    "Светлинский",
    "Сухонский",
    "Тихвинский",
    "Устьянский",
    "Холмогорский",
    "Чернореченский",
    "Шекснинский",
    "Юговский",
    "Ягодный",
    "Борисовский",
    "Васильевский",
    "Горный",
    "Дубровский",
    "Еловский",
    "Журавлёвский",
    "Знаменский",
    "Кичменгский",
)
_VILLAGE_ROOTS = (
    "Александровская",
    "Андреевская",
    "Берёзовская",
    "Борисовская",
    "Верхнеспасская",
    "Вознесенская",
    "Воскресенская",
    "Горская",
    "Дмитриевская",
    "Ермаковская",
    "Ильинская",
    "Каменская",
    "Климовская",
    "Кузьминская",
    "Липовская",
    "Михайловская",
    "Нижнеслободская",
    "Никольская",
    "Николоторжская",
    "Новосельская",
    "Павловская",
    "Петровская",
    "Покровская",
    "Раменская",
    "Рождественская",
    "Сельцовская",
    "Спасская",
    "Троицкая",
    "Успенская",
    "Фёдоровская",
    "Харовская",
    "Чаровская",
    "Шольская",
    "Юрьевская",
    "Ягницкая",
)


@dataclass(frozen=True)
class Municipality:
    name: str
    urban: bool  # городской округ: every school is urban
    lat: float
    lon: float


def make_municipalities(count: int, rng: np.random.Generator) -> list[Municipality]:
    """`count` (≥ 2) municipalities; about one in ten is an urban district, the first is the
    capital, and at least one is rural so every region has village schools."""
    urban = min(count - 1, max(1, round(count * 0.1)))
    lats = rng.uniform(*LAT_RANGE, size=count)
    lons = rng.uniform(*LON_RANGE, size=count)
    result = []
    for i in range(count):
        if i < urban:
            name = f"городской округ {_numbered(_CITY_ROOTS, i)}"
        else:
            name = f"{_numbered(_DISTRICT_ROOTS, i - urban)} муниципальный район"
        result.append(Municipality(name, i < urban, float(lats[i]), float(lons[i])))
    return result


def municipality_weights(
    municipalities: list[Municipality], rng: np.random.Generator
) -> np.ndarray:
    """Share of the region's schools in each municipality: the capital holds about a fifth."""
    weights = rng.gamma(4.0, 1.0, size=len(municipalities))
    weights /= weights.sum()
    urban = np.array([m.urban for m in municipalities])
    weights[urban] *= 2.0
    weights[0] = max(weights[0], 0.2 * weights.sum())
    return weights / weights.sum()


def offset_point(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) along `bearing` (radians), small-distance approximation."""
    dlat = km * math.cos(bearing) / KM_PER_DEGREE
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def school_name(
    urban: bool, levels: str, number: int, rng: np.random.Generator, village_index: int
) -> str:
    """A realistic official name: «МБОУ «СОШ № 5»»-style in towns, village schools by village."""
    owner = "МАОУ" if rng.random() < 0.2 else "МБОУ"
    if urban:
        if levels == "NOO":
            kind = "Начальная общеобразовательная школа"
        elif levels == "NOO,OOO":
            kind = "Основная общеобразовательная школа"
        else:
            kind = str(
                rng.choice(
                    ["Средняя общеобразовательная школа", "Лицей", "Гимназия"], p=[0.75, 0.1, 0.15]
                )
            )
        return f"{owner} «{kind} № {number}»"
    village = _numbered(_VILLAGE_ROOTS, village_index)
    kind = {
        "NOO": "начальная общеобразовательная школа",
        "NOO,OOO": "основная общеобразовательная школа",
    }.get(levels, "средняя общеобразовательная школа")
    return f"{owner} «{village} {kind}»"


def _numbered(roots: tuple[str, ...], index: int) -> str:
    # Larger regions than the vocabulary: the same root again with a number, as «…-2».
    root = roots[index % len(roots)]
    lap = index // len(roots)
    return root if lap == 0 else f"{root}-{lap + 1}"
