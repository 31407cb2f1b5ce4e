"""The region's decisions on the preliminary list: the final list and the agreed partners.

The rules: docs/methodology.md, «Решения региона». The `mart_support_list` dbt model hands
plain frames to `support_list`; `register_warnings` says what a register asks that has no effect.

- The final list: (on the initial list and not excluded) or included; a year without a register
  keeps the initial list and says so in `reason`.
- The partner of a final-list school: the register's `partner_id` (`agreed`), else the rank-1
  partner of `mart_partner_matches` (`suggested`), else none.
- An agreed partner is checked against the method's partner rules (`partner_rules_broken`; the
  same rules `partner_candidates.partner_pool` and `admissibility` apply to the suggested pairs,
  a unit test ties the two spellings), and against `partner_capacity` counting the agreed and the
  suggested pairs of the final list together. The decision stands; the note says where it departs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from nro_pipeline.lib.methods.partner_reasons import plural_years
from nro_pipeline.lib.methods.partner_schools import (
    LEVEL_RU,
    PartnerParams,
    clean_text,
    flag,
    highest_level,
    int_or_zero,
)

CONFIRM, INCLUDE, EXCLUDE = "confirm", "include", "exclude"
DECISION_RU = {CONFIRM: "подтвердить", INCLUDE: "включить", EXCLUDE: "исключить"}
AGREED, SUGGESTED, NO_PARTNER = "agreed", "suggested", "none"

COLUMNS = {
    "school_id": "string",
    "year": "int32",
    "on_initial_list": "boolean",
    "in_final_list": "boolean",
    "decision": "string",
    "reason": "string",
    "decided_by": "string",
    "partner_id": "string",
    "partner_source": "string",
    "agreement_date": "datetime64[us]",
    "partner_admissible": "boolean",
    "partner_note": "string",
}


def no_register_reason(year: int) -> str:
    return (
        f"реестр решений региона за {year} год не поступил: итоговый список равен предварительному"
    )


NOT_IN_REGISTER = (
    "в реестре решений нет строки этой школы: остаётся в списке, как в предварительном"
)


def in_partner_pool(partner: Mapping[str, Any]) -> list[str]:
    """Why a school cannot partner anyone under the method, in Russian (empty: it can).

    `partner`: result_level, recently_listed, year (the `School` fields of partner_schools.py)."""
    broken = []
    if partner.get("recently_listed"):
        year = int(partner["year"])
        years = int(partner.get("exclusion_years") or 3)
        broken.append(
            f"партнёр был в списке ШНОР за последние {years} {plural_years(years)} "
            f"({year - years + 1}–{year})"
        )
    level = clean_text(partner.get("result_level"))
    if level != "high":
        broken.append(f"уровень результатов партнёра не высокий ({level or 'не рассчитан'})")
    return broken


def suits_mentee(mentee: Mapping[str, Any], partner: Mapping[str, Any]) -> list[str]:
    """Why a partner does not suit this mentee under the method (empty: it does): the ISBSh
    quintile is the mentee's or one lower, the highest level of education at least the mentee's."""
    broken = []
    mq, pq = int_or_zero(mentee.get("isbsh_quintile")), int_or_zero(partner.get("isbsh_quintile"))
    if not mq or not pq:
        broken.append("квинтиль ИСБШ не рассчитан (нет социального паспорта)")
    elif pq not in (mq, mq - 1):
        broken.append(
            f"квинтиль ИСБШ партнёра ({pq}) не тот же и не на один ниже квинтиля школы ({mq})"
        )
    ml, pl = highest_level(mentee.get("levels")), highest_level(partner.get("levels"))
    if ml and pl < ml:
        broken.append(
            f"партнёр реализует более низкий уровень образования "
            f"({LEVEL_RU.get(pl, 'не указан')} при {LEVEL_RU[ml]} у школы)"
        )
    return broken


def partner_rules_broken(
    mentee: Mapping[str, Any], partner: Mapping[str, Any], params: PartnerParams
) -> list[str]:
    """Every partner rule of the method the pair breaks, capacity aside (see support_list)."""
    facts = {**partner, "exclusion_years": params.exclusion_years}
    return in_partner_pool(facts) + suits_mentee(mentee, partner)


def _decision(row: Mapping[str, Any]) -> str | None:
    decision = clean_text(row.get("decision"))
    if decision == INCLUDE and row.get("on_initial_list"):
        return CONFIRM  # include of a listed school is read as confirm
    return decision


def support_list(
    schools: pd.DataFrame,
    register: pd.DataFrame,
    suggested: pd.DataFrame,
    listed_years: pd.DataFrame,
    params: PartnerParams,
    years: list[int],
) -> pd.DataFrame:
    """One row per school × year on the initial or the final list.

    schools: every registry school of the years — school_id, year, on_initial_list, levels,
    isbsh_quintile, result_level; register: school_id, year, decision, reason, decided_by,
    partner_id, agreement_date; suggested: school_id, year, partner_id (rank 1, matched);
    listed_years: school_id, year of every (school, year) on the initial list."""
    parts = [
        _year_list(
            year,
            schools[schools["year"] == year],
            register[register["year"] == year],
            suggested[suggested["year"] == year],
            listed_years,
            params,
        )
        for year in years
    ]
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    return out[list(COLUMNS)].astype(COLUMNS)


def _year_list(
    year: int,
    schools: pd.DataFrame,
    register: pd.DataFrame,
    suggested: pd.DataFrame,
    listed_years: pd.DataFrame,
    params: PartnerParams,
) -> pd.DataFrame:
    has_register = len(register) > 0
    facts = {str(r["school_id"]): r for r in schools.to_dict("records")}
    window = listed_years[
        (listed_years["year"] <= year) & (listed_years["year"] > year - params.exclusion_years)
    ]
    recently = set(window["school_id"].astype(str))
    decisions = {str(r["school_id"]): r for r in register.to_dict("records")}
    proposed = dict(zip(suggested["school_id"].astype(str), suggested["partner_id"], strict=True))
    rows = []
    for school_id, school in facts.items():
        on_initial = flag(school.get("on_initial_list"))
        entry = decisions.get(school_id, {})
        decision = _decision({**entry, "on_initial_list": on_initial})
        in_final = (on_initial and decision != EXCLUDE) or decision == INCLUDE
        if not (on_initial or in_final):
            continue
        reason = clean_text(entry.get("reason"))
        if not has_register:
            reason = no_register_reason(year)
        elif not entry:
            reason = NOT_IN_REGISTER
        row: dict[str, Any] = {
            "school_id": school_id,
            "year": year,
            "on_initial_list": on_initial,
            "in_final_list": in_final,
            "decision": decision,
            "reason": reason,
            "decided_by": clean_text(entry.get("decided_by")),
            "agreement_date": entry.get("agreement_date"),
            "partner_id": None,
            "partner_source": None,
            "partner_admissible": None,
            "partner_note": None,
        }
        if in_final:
            agreed = clean_text(entry.get("partner_id"))
            offered = clean_text(proposed.get(school_id))
            row["partner_id"] = agreed or offered
            row["partner_source"] = AGREED if agreed else SUGGESTED if offered else NO_PARTNER
        rows.append(row)
    _check_partners(rows, facts, recently, params, year)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _check_partners(
    rows: list[dict[str, Any]],
    facts: dict[str, Mapping[str, Any]],
    recently: set[str],
    params: PartnerParams,
    year: int,
) -> None:
    """partner_admissible and partner_note of every final-list pair: an agreed pair against the
    rules and the capacity (agreed and suggested pairs together); a suggested pair follows the
    method by construction."""
    load = Counter(r["partner_id"] for r in rows if r["partner_source"] in (AGREED, SUGGESTED))
    for row in rows:
        if row["partner_source"] == SUGGESTED:
            row["partner_admissible"] = True
        if row["partner_source"] != AGREED:
            continue
        partner_id = row["partner_id"]
        partner = {
            **facts.get(partner_id, {}),
            "recently_listed": partner_id in recently,
            "year": year,
        }
        broken = partner_rules_broken(facts[row["school_id"]], partner, params)
        if load[partner_id] > params.partner_capacity:
            broken.append(
                f"подшефных школ у партнёра (согласованные и предложенные пары вместе) — "
                f"{load[partner_id]}, больше допустимых {params.partner_capacity}"
            )
        row["partner_admissible"] = not broken
        row["partner_note"] = (
            "нарушает правила подбора партнёра: " + "; ".join(broken)
            if broken
            else "соответствует правилам подбора партнёра"
        )


def register_warnings(register: pd.DataFrame, support: pd.DataFrame) -> list[str]:
    """What a register asks that has no effect, in words naming the file and the row.

    register: school_id, year, decision, partner_id, source_file, source_row_number;
    support: the `support_list` rows of the same years."""
    listed = {(str(r["school_id"]), int(r["year"])): r for r in support.to_dict("records")}
    warnings = []
    for row in register.to_dict("records"):
        key = (str(row["school_id"]), int(row["year"]))
        where = f"{row['source_file']}: row {row['source_row_number']}"
        decision = clean_text(row.get("decision"))
        entry = listed.get(key)
        on_initial = entry is not None and flag(entry["on_initial_list"])
        if decision in (CONFIRM, EXCLUDE) and not on_initial:
            warnings.append(
                f"{where}: school_id={key[0]}, decision={decision} ({DECISION_RU[decision]}) — "
                "the school is not on the preliminary list of the year, so the decision has no "
                "effect; rule: only a school of the list can be confirmed or excluded."
            )
        elif decision == INCLUDE and on_initial:
            warnings.append(
                f"{where}: school_id={key[0]}, decision=include (включить) — the school is on "
                "the preliminary list already; read as confirm (подтвердить)."
            )
        in_final = entry is not None and flag(entry["in_final_list"])
        if clean_text(row.get("partner_id")) and not in_final:
            warnings.append(
                f"{where}: school_id={key[0]}, partner_id={row['partner_id']} — the school is "
                "not on the final list, so its partner is ignored."
            )
    return warnings
