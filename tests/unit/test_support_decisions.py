"""The final list and the agreed partners (docs/methodology.md, «Решения региона») on
hand-worked cases, and the partner rules checked for an agreed partner tied to the ones the
assignment applies (one rule, two spellings: a test fails when they disagree)."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from nro_pipeline.lib.methods.partner_candidates import admissibility, partner_pool
from nro_pipeline.lib.methods.partner_distances import school_arrays
from nro_pipeline.lib.methods.partner_schools import PartnerParams, School
from nro_pipeline.lib.methods.support_decisions import (
    NOT_IN_REGISTER,
    in_partner_pool,
    no_register_reason,
    register_warnings,
    suits_mentee,
    support_list,
)

PARAMS = PartnerParams(partner_capacity=2, exclusion_years=3)
# school → (on the initial list, ISBSh quintile, levels, result level)
SCHOOLS = {
    "M1": (True, 3, "NOO,OOO", "low"),
    "M2": (True, 3, "NOO,OOO", "low"),
    "M3": (True, 3, "NOO,OOO", "low"),
    "M4": (True, 3, "NOO,OOO,SOO", "low"),
    "M5": (True, 3, "NOO,OOO", "low"),
    "M6": (True, 3, "NOO,OOO", "low"),
    "M7": (True, 3, "NOO,OOO", "low"),
    "M8": (True, 3, "NOO,OOO", "low"),
    "X": (True, 3, "NOO,OOO", "low"),
    "I": (False, 2, "NOO,OOO", "medium"),
    "P_LISTED": (False, 3, "NOO,OOO", "high"),
    "P_MEDIUM": (False, 3, "NOO,OOO", "medium"),
    "P_Q5": (False, 5, "NOO,OOO", "high"),
    "P_OOO": (False, 3, "NOO,OOO", "high"),
    "P_OK": (False, 2, "NOO,OOO,SOO", "high"),
    "P_BUSY": (False, 3, "NOO,OOO", "high"),
}
CAPACITY = (
    "подшефных школ у партнёра (согласованные и предложенные пары вместе) — 3, больше допустимых 2"
)
# the agreed partner of each mentee, and the one rule it breaks
AGREED = {
    "M1": ("P_LISTED", "партнёр был в списке ШНОР за последние 3 года (2022–2024)"),
    "M2": ("P_MEDIUM", "уровень результатов партнёра не высокий (medium)"),
    "M3": ("P_Q5", "квинтиль ИСБШ партнёра (5) не тот же и не на один ниже квинтиля школы (3)"),
    "M4": ("P_OOO", "партнёр реализует более низкий уровень образования (ООО при СОО у школы)"),
    "M6": ("P_BUSY", CAPACITY),
    "M7": ("P_BUSY", CAPACITY),
}


def _schools(year: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "school_id": s,
                "year": year,
                "on_initial_list": listed,
                "isbsh_quintile": quintile,
                "levels": levels,
                "result_level": level,
            }
            for s, (listed, quintile, levels, level) in SCHOOLS.items()
        ]
    )


def _register() -> pd.DataFrame:
    rows = [
        {"school_id": m, "decision": "confirm", "reason": "соглашение", "partner_id": p}
        for m, (p, _) in AGREED.items()
    ]
    rows += [
        {"school_id": "M5", "decision": "include", "reason": "уже в списке", "partner_id": "P_OK"},
        {"school_id": "X", "decision": "exclude", "reason": "реорганизация", "partner_id": "P_OK"},
        {"school_id": "I", "decision": "include", "reason": "заявка муниципалитета"},
        {"school_id": "P_OK", "decision": "confirm", "reason": "не в списке"},
    ]
    frame = pd.DataFrame(rows).assign(year=2024, decided_by=None, agreement_date=None)
    return frame.assign(source_file="register.csv", source_row_number=range(2, len(frame) + 2))


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    schools = pd.concat([_schools(2023), _schools(2024)])
    suggested = pd.DataFrame(
        [
            {"school_id": "M8", "year": 2024, "partner_id": "P_BUSY"},
            {"school_id": "M1", "year": 2024, "partner_id": "P_OK"},  # the register overrides it
            {"school_id": "M8", "year": 2023, "partner_id": "P_OK"},
        ]
    )
    listed = pd.DataFrame([{"school_id": "P_LISTED", "year": 2022}])
    out = support_list(schools, _register(), suggested, listed, PARAMS, [2023, 2024])
    return out.set_index(["year", "school_id"])


def test_each_agreed_partner_breaking_one_rule_is_named(result: pd.DataFrame) -> None:
    for mentee, (partner, rule) in AGREED.items():
        row = result.loc[(2024, mentee)]
        assert (row["partner_id"], row["partner_source"]) == (partner, "agreed")
        assert not row["partner_admissible"]
        assert row["partner_note"] == f"нарушает правила подбора партнёра: {rule}"


def test_an_agreed_partner_that_follows_the_method(result: pd.DataFrame) -> None:
    row = result.loc[(2024, "M5")]
    assert row["decision"] == "confirm"  # include of a listed school is read as confirm
    assert row["partner_admissible"] and row["partner_note"] == (
        "соответствует правилам подбора партнёра"
    )


def test_capacity_counts_agreed_and_suggested_pairs_together(result: pd.DataFrame) -> None:
    suggested = result.loc[(2024, "M8")]
    assert (suggested["partner_id"], suggested["partner_source"]) == ("P_BUSY", "suggested")
    assert suggested["partner_admissible"] and pd.isna(suggested["partner_note"])


def test_the_final_list(result: pd.DataFrame) -> None:
    year = result.loc[2024]
    assert set(year.index[year["in_final_list"]]) == {f"M{n}" for n in range(1, 9)} | {"I"}
    excluded = year.loc["X"]
    assert excluded["on_initial_list"] and not excluded["in_final_list"]
    assert pd.isna(excluded["partner_id"]) and pd.isna(excluded["partner_source"])
    included = year.loc["I"]
    assert (included["decision"], included["partner_source"]) == ("include", "none")
    assert year.loc["M8", "reason"] == NOT_IN_REGISTER
    assert "P_OK" not in year.index  # confirm of a school not on the list: no effect


def test_a_year_without_a_register_keeps_the_initial_list(result: pd.DataFrame) -> None:
    year = result.loc[2023]
    assert set(year.index) == {s for s, facts in SCHOOLS.items() if facts[0]}
    assert year["in_final_list"].all() and year["decision"].isna().all()
    assert (year["reason"] == no_register_reason(2023)).all()
    assert year.loc["M8", "partner_source"] == "suggested"
    assert (year.drop(index="M8")["partner_source"] == "none").all()


def test_what_has_no_effect_is_warned_with_file_and_row(result: pd.DataFrame) -> None:
    warnings = register_warnings(_register(), result.reset_index())
    assert len(warnings) == 3
    include, exclude, confirm = warnings
    assert include.startswith("register.csv: row 8: school_id=M5, decision=include")
    assert "read as confirm" in include
    assert exclude.startswith("register.csv: row 9: school_id=X, partner_id=P_OK")
    assert "not on the final list" in exclude
    assert confirm.startswith("register.csv: row 11: school_id=P_OK, decision=confirm")


def test_the_rules_for_an_agreed_partner_are_the_assignments() -> None:
    """Every (mentee, partner) pair: admissible for the assignment (partner_candidates) exactly
    when the agreed-partner check names no rule."""
    rng = random.Random(3)
    schools = [
        School(
            school_id=f"S{n}",
            levels=rng.choice(["NOO", "NOO,OOO", "NOO,OOO,SOO", "OOO,SOO", None]),
            isbsh_quintile=rng.choice([None, 1, 2, 3, 4, 5]),
            result_level=rng.choice(["low", "medium", "high", None]),
            recently_listed=rng.random() < 0.2,
        )
        for n in range(120)
    ]
    mentees = [s for s in schools[:30] if s.isbsh_quintile and s.highest_level]
    pool = partner_pool(schools[30:], set())
    codes: dict[str, int] = {}
    admissible = admissibility(school_arrays(mentees, codes), school_arrays(pool, codes))
    by_method = {
        (mentees[row].school_id, pool[int(p)].school_id)
        for key, rows in admissible.members.items()
        for row in rows
        for p in admissible.partners[key]
    }
    by_check = {
        (m.school_id, p.school_id)
        for m, p in itertools.product(mentees, schools[30:])
        if not in_partner_pool({**vars(p), "year": 2024}) and not suits_mentee(vars(m), vars(p))
    }
    assert by_method == by_check and by_method
