"""Why a mentee's rank has no partner, in plain Russian, as `mart_partner_matches.reason` says it."""

from __future__ import annotations

from nro_pipeline.lib.methods.partner_distances import SchoolArrays
from nro_pipeline.lib.methods.partner_schools import LEVEL_RU, PartnerParams


def unmatched_reason(
    rank: int,
    matched: int,
    admissible: int,
    quintile: int,
    level: int,
    pool: SchoolArrays,
    params: PartnerParams,
) -> str:
    """The reason of the unmatched `rank` of a mentee that got `matched` partners out of its
    `admissible` ones."""
    if admissible == 0:
        return no_partner_reason(quintile, level, pool, params)
    if rank <= admissible:
        return capacity_reason(matched, params)
    return shortage_reason(admissible, params)


def no_partner_reason(quintile: int, level: int, pool: SchoolArrays, params: PartnerParams) -> str:
    """Why a mentee has no admissible partner at all: name the first filter that empties the pool."""
    if quintile == 0:
        return "нет школы-партнёра: для школы не рассчитан ИСБШ (нет социального паспорта)"
    if level == 0:
        return "нет школы-партнёра: для школы не указаны уровни образования"
    years = params.exclusion_years
    pool_txt = (
        f"нет {pool_words(params)}, не входивших в список ШНОР за последние {years} "
        f"{plural_years(years)}"
    )
    if len(pool.ids) == 0:
        return f"нет школы-партнёра: {pool_txt}"
    quintile_ok = (pool.quintile == quintile) | (pool.quintile == quintile - 1)
    quintile_txt = (
        f"в том же квинтиле ИСБШ ({quintile})"
        if quintile == 1
        else f"в том же или более низком квинтиле ИСБШ ({quintile - 1}–{quintile})"
    )
    if not quintile_ok.any():
        return f"нет школы-партнёра: {pool_txt}, {quintile_txt}"
    return f"нет школы-партнёра: {pool_txt}, {quintile_txt}, реализующих уровень {LEVEL_RU[level]}"


def pool_words(params: PartnerParams) -> str:
    """Who may partner, as the reasons say it: «школ с высокими результатами» under the federal
    method, narrowed by the region's own conditions (docs/methodology.md)."""
    schools = "устойчивых школ (кластер resilient)" if params.resilient_only else "школ"
    if params.high_years > 1:
        years = params.high_years
        genitive = "года" if years % 10 == 1 and years % 100 != 11 else "лет"
        return f"{schools} с высокими результатами в каждом из последних {years} {genitive}"
    return f"{schools} с высокими результатами"


def capacity_reason(matched: int, params: PartnerParams) -> str:
    capacity = params.partner_capacity
    if matched == 0:
        return f"все подходящие партнёры заняты (ёмкость {capacity})"
    return (
        f"подобрано партнёров: {matched} из {params.partners_per_school}; "
        f"остальные подходящие партнёры заняты (ёмкость {capacity})"
    )


def shortage_reason(admissible: int, params: PartnerParams) -> str:
    return (
        f"подходящих партнёров меньше, чем требуется: {admissible} из {params.partners_per_school}"
    )


def plural_years(n: int) -> str:
    """год / года / лет after the number n."""
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "года"
    return "лет"
