"""The GX suites (`expectations/*.json`) and the contract (`file_kinds.py`) say the same thing.

Both are written by hand — the contract drives the reader and the sample generator, the suites
drive validation — so this test compares, for every kind: the required columns, which columns
must be filled, the number type of each column, and the values a column may hold.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS, ColumnType, FileKind
from nro_pipeline.lib.validate.gx_suite import load_suite

INTEGER_REGEX = r"^\d+$"
DECIMAL_REGEX = r"^-?\d+(?:\.\d+)?$"


def _unconditional(suite: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [
        e["kwargs"]
        for e in suite["expectations"]
        if e["type"] == rule and "row_condition" not in e["kwargs"]
    ]


def _list_regex(codes: tuple[str, ...]) -> str:
    one = "(?:" + "|".join(re.escape(c) for c in codes) + ")"
    return f"^{one}(?:,{one})*$"


def disagreements(kind: FileKind, suite: dict[str, Any]) -> list[str]:
    """Where the suite and the contract differ, in words (empty: they agree)."""
    found = []
    [columns] = _unconditional(suite, "expect_table_columns_to_match_set")
    if columns["column_set"] != kind.required_columns:
        found.append(f"required columns: suite {columns['column_set']}")
    filled = {k["column"] for k in _unconditional(suite, "expect_column_values_to_not_be_null")}
    if filled != {c.name for c in kind.columns if not c.nullable}:
        found.append(f"columns that must be filled: suite {sorted(filled)}")
    regexes = {
        (k["column"], k["regex"])
        for k in _unconditional(suite, "expect_column_values_to_match_regex")
    }
    in_sets = {
        k["column"]: k["value_set"]
        for k in _unconditional(suite, "expect_column_values_to_be_in_set")
    }
    for column in kind.columns:
        expected = {ColumnType.INTEGER: INTEGER_REGEX, ColumnType.DECIMAL: DECIMAL_REGEX}.get(
            column.type
        )
        typed = {r for c, r in regexes if c == column.name and r in (INTEGER_REGEX, DECIMAL_REGEX)}
        if typed != ({expected} if expected else set()):
            found.append(f"{column.name}: type {column.type.value}, suite regexes {typed}")
        allowed = column.allowed_values
        if column.many:
            assert allowed is not None
            if (column.name, _list_regex(allowed)) not in regexes:
                found.append(f"{column.name}: no rule for a list of {allowed}")
        elif in_sets.get(column.name) != (list(allowed) if allowed else None):
            found.append(f"{column.name}: allowed {allowed}, suite {in_sets.get(column.name)}")
    return found


@pytest.mark.parametrize("kind_name", list(FILE_KINDS))
def test_suite_and_contract_agree(kind_name: str) -> None:
    assert disagreements(FILE_KINDS[kind_name], load_suite(kind_name)) == []


def _expectation(suite: dict[str, Any], rule: str, column: str) -> dict[str, Any]:
    return next(
        e
        for e in suite["expectations"]
        if e["type"] == rule and e["kwargs"].get("column") == column
    )


def test_each_kind_of_disagreement_is_found() -> None:
    kind = FILE_KINDS["vpr_results"]
    suite = copy.deepcopy(load_suite("vpr_results"))
    _expectation(suite, "expect_table_columns_to_match_set", None)["kwargs"]["column_set"].pop()
    suite["expectations"].remove(
        _expectation(suite, "expect_column_values_to_not_be_null", "school_id")
    )
    _expectation(suite, "expect_column_values_to_match_regex", "grade")["kwargs"]["regex"] = (
        DECIMAL_REGEX
    )
    _expectation(suite, "expect_column_values_to_be_in_set", "subject")["kwargs"][
        "value_set"
    ].append("physics")
    found = disagreements(kind, suite)
    assert [f.split(":")[0] for f in found] == [
        "required columns",
        "columns that must be filled",
        "grade",
        "subject",
    ]


def test_a_list_column_without_its_rule_is_found() -> None:
    suite = copy.deepcopy(load_suite("schools"))
    levels = next(
        e for e in suite["expectations"] if e["kwargs"].get("regex", "").startswith("^(?:NOO")
    )
    suite["expectations"].remove(levels)
    assert disagreements(FILE_KINDS["schools"], suite) == [
        "levels: no rule for a list of ('NOO', 'OOO', 'SOO')"
    ]
