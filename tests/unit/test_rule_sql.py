"""DuckDB's screen flags exactly the rows GX counts unexpected, for every row rule of the suites.

`rule_sql.py` compiles the suites' row rules to SQL so that GX is handed only the rows breaking
one; a row the screen missed would never reach GX. So each suite is run whole by GX on random
frames built as production builds them (landed text, `n_` numbers parsed by DuckDB, categories),
and every rule's unexpected rows are compared with the rows its SQL predicate flags. The values
mix what the rules expect with what breaks them: Unicode digits and spaces (Python's `re`, which
GX uses, reads them otherwise than DuckDB's RE2), «nan» and «inf», repeated ids, empty cells.
"""

from __future__ import annotations

import random
from typing import Any

import duckdb
import pytest

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS, FileKind
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA
from nro_pipeline.lib.validate.gx_suite import ROW_NUMBER, GxSession, load_suite
from nro_pipeline.lib.validate.rule_groups import HEADER_RULES, FrameKind, RuleGroup
from nro_pipeline.lib.validate.rule_sql import group_screen, python_regex
from nro_pipeline.lib.validate.validation_frames import (
    derived_columns,
    distinct_counts,
    group_frames,
)

YEAR = 2024
ROWS = 80
SEEDS = range(3)
TRICKY = [
    *[None] * 4,
    "0", "1", "4", "12", "100", "101", "-1.5", "3.5", "1e3", "nan", "inf", "-inf",
    "٣", "１２", "12\n", "abc", "x\ny", "Иванов Иван Иванович", "Иванов\u2009Иван",
    "Ли Си", "Петров П. И.", "Анна-Мария", "O'Нил", "NOO", "NOO,OOO", "NOO,", "SOO,OOO,NOO",
    "2024-09-01", "31.02.2024",
]  # fmt: skip
IDS = ["S1", "S2", "S3", "P1", "P2"]


def rule_values(suite: dict[str, Any]) -> dict[str, list[str]]:
    """Per landed column, the values its rules name (sets, conditions): frames need them to pass."""
    values: dict[str, list[str]] = {}
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        column = str(kwargs.get("column", "")).removeprefix("n_")
        if isinstance(kwargs.get("value_set"), list):
            values.setdefault(column, []).extend(map(str, kwargs["value_set"]))
        condition = kwargs.get("row_condition") or ""
        if "==" in condition:
            name, value = condition.split("==")
            values.setdefault(name.strip(), []).append(value.strip().strip("\"'"))
    return values


def landed(con: duckdb.DuckDBPyConnection, kind: FileKind, seed: int) -> list[str]:
    """A random landed year of `kind` in `raw`; its columns."""
    pick = random.Random(seed)
    columns = kind.column_names
    named = rule_values(load_suite(kind.name))
    pools = {
        c: named.get(c, []) * 3 + TRICKY + (IDS * 4 if c.endswith("_id") else []) for c in columns
    }
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    typed = ", ".join(f'"{c}" VARCHAR' for c in columns)
    con.execute(
        f"CREATE OR REPLACE TABLE {RAW_SCHEMA}.{kind.name} (year INT, {ROW_NUMBER} BIGINT, {typed})"
    )
    rows = [[YEAR, n + 2, *(pick.choice(pools[c]) for c in columns)] for n in range(ROWS)]
    con.executemany(
        f"INSERT INTO {RAW_SCHEMA}.{kind.name} VALUES ({', '.join('?' * (len(columns) + 2))})", rows
    )
    return columns


def parameters(suite: dict[str, Any], seed: int) -> dict[str, list[str]]:
    pick = random.Random(seed)
    names = {
        e["kwargs"]["value_set"]["$PARAMETER"]
        for e in suite["expectations"]
        if isinstance(e["kwargs"].get("value_set"), dict)
    }
    return {n: sorted(pick.sample([*IDS, "2024-09-01", "31.02.2024"], 3)) for n in names}


def flagged_alike(kind: FileKind, rules: list[dict[str, Any]], seed: int) -> int:
    """Run `rules` whole in GX on a random landed year of `kind` and assert each rule's SQL flags
    exactly GX's unexpected rows; how many rules the frame broke."""
    suite = load_suite(kind.name)
    with duckdb.connect() as con, python_regex(con):
        columns = landed(con, kind, seed)
        context = parameters(suite, seed)
        counts = distinct_counts(con, YEAR, kind, columns)
        every_row = RuleGroup(FrameKind.EVERY_ROW, tuple(columns), tuple(rules))
        [frame] = group_frames(con, YEAR, kind, every_row, columns, counts)
        assert set(derived_columns(kind, columns)) <= set(frame.columns)
        result = GxSession().validate(frame, suite, rules, context)
        by_gx = {
            item.expectation_config.description or item.expectation_config.type: sorted(
                int(entry[ROW_NUMBER]) for entry in item.result.get("unexpected_index_list") or []
            )
            for item in result.results
        }
        broken = 0
        for rule in rules:
            screen = group_screen([rule], context)
            assert screen is not None, f"not compiled to SQL: {rule}"
            [flagged] = group_frames(con, YEAR, kind, every_row, columns, counts, 1, screen)
            name = rule.get("description") or rule["type"]
            assert sorted(flagged[ROW_NUMBER]) == by_gx[name], (name, rule["kwargs"])
            broken += bool(by_gx[name])
    return broken


@pytest.mark.parametrize("kind_name", sorted(FILE_KINDS))
@pytest.mark.parametrize("seed", SEEDS)
def test_sql_flags_the_rows_gx_counts_unexpected(kind_name: str, seed: int) -> None:
    kind = FILE_KINDS[kind_name]
    rules = [e for e in load_suite(kind.name)["expectations"] if e["type"] not in HEADER_RULES]
    assert flagged_alike(kind, rules, seed) >= len(rules) // 3  # a good share broken, not none


def rule(name: str, kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": f"expect_{kind}", "kwargs": kwargs, "description": name}


# What the SQL compiles beyond what today's suites use: each option of each compiled rule type.
OPTIONS = [
    rule("null", "column_values_to_be_null", column="subject"),
    rule("strict bounds", "column_values_to_be_between", column="n_participants", min_value=1,
         max_value=30, strict_min=True, strict_max=True),
    rule("upper bound only", "column_values_to_be_between", column="n_mark_2", max_value=5),
    rule("numbers in set", "column_values_to_be_in_set", column="n_grade", value_set=[4, 5, 6.0]),
    rule("numbers not in set", "column_values_to_not_be_in_set", column="n_grade", value_set=[7]),
    rule("empty set", "column_values_to_not_be_in_set", column="subject", value_set=[]),
    rule("equal, both missing ignored", "column_pair_values_to_be_equal", column_A="n_mark_total",
         column_B="n_participants", ignore_row_if="both_values_are_missing"),
    rule("equal, none ignored", "column_pair_values_to_be_equal", column_A="n_mark_total",
         column_B="n_participants", ignore_row_if="neither"),
    rule("texts equal", "column_pair_values_to_be_equal", column_A="school_id",
         column_B="subject", ignore_row_if="either_value_is_missing"),
    rule("strictly greater", "column_pair_values_a_to_be_greater_than_b",
         column_A="n_participants", column_B="n_mark_2"),
    rule("unique unless any missing", "compound_columns_to_be_unique",
         column_list=["school_id", "subject"], ignore_row_if="any_value_is_missing"),
    rule("unique, none ignored", "compound_columns_to_be_unique",
         column_list=["school_id", "grade"], ignore_row_if="never"),
    rule("single-quoted condition", "column_values_to_be_in_set", column="subject",
         value_set=["math"], row_condition="grade=='5'", condition_parser="pandas"),
    rule("regex under a condition", "column_values_to_match_regex", column="school_id",
         regex=r"^S\d$", row_condition='subject=="math"', condition_parser="pandas"),
]  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_every_compiled_option_flags_what_gx_flags(seed: int) -> None:
    assert flagged_alike(FILE_KINDS["vpr_results"], OPTIONS, seed) >= len(OPTIONS) // 2


def test_a_rule_sql_does_not_know_runs_in_gx_on_every_tuple() -> None:
    """Not compiled: an unknown type, a row condition beyond `col=="value"`, a share allowed to
    fail, a regex Python cannot compile, a set of numbers for a text column."""
    base = {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "exam"}}
    unknown = [
        {"type": "expect_column_value_lengths_to_equal", "kwargs": {"column": "x", "value": 2}},
        {**base, "kwargs": {**base["kwargs"], "value_set": ["OGE"], "mostly": 0.9}},
        {**base, "kwargs": {**base["kwargs"], "value_set": [4]}},
        {
            **base,
            "kwargs": {
                **base["kwargs"],
                "value_set": ["OGE"],
                "row_condition": 'exam!="OGE"',
                "condition_parser": "pandas",
            },
        },
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "x", "regex": "("}},
    ]
    for rule in unknown:
        assert group_screen([rule], {}) is None, rule
    # one such rule in a group hands the whole group to GX
    known = {**base, "kwargs": {**base["kwargs"], "value_set": ["OGE"]}}
    assert group_screen([known], {}) is not None
    assert group_screen([known, unknown[0]], {}) is None
