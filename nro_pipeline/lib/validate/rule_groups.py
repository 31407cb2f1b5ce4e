"""Which rules of a suite run together, and on which frame: distinct values or every row.

GX's cost is per row it is handed. Most rules are about one row at a time («in set», «not null»,
«between», a regex, a pair of columns of the row, each under an optional row condition): their
verdict on a row depends only on the values of the columns they read, so they give the same
verdict, and the same offending values, on the distinct values of those columns as on all rows.
Those rules are validated on the distinct value tuples of their columns (a national GIA file:
4.35 M rows, but a few thousand tuples of exam, subject, mark, …); the rows holding an offending
tuple are then found in DuckDB (`validation_frames.rows_of_tuples`), so row numbers stay exact.
Rules that need every row — uniqueness, `mostly`, anything not known to be row-wise — run on
every row of their columns; rules about the table's columns run on its header alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from nro_pipeline.lib.validate.gx_suite import expectation_columns

# Rules whose verdict on a row depends on that row's values alone (GX Core 1.x names).
ROW_WISE_RULES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }
)
# Rules about the table's columns only: their verdict needs the header, no row.
HEADER_RULES = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
    }
)
# Tuples of merged groups stay below this many (product of the columns' distinct counts):
# small frames for GX, and few of them.
MERGE_TUPLES = 50_000
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


class FrameKind(Enum):
    DISTINCT = "distinct"  # one row per distinct tuple of the group's columns
    EVERY_ROW = "every_row"  # every landed row, the group's columns
    HEADER = "header"  # no rows, every landed column


@dataclass(frozen=True)
class RuleGroup:
    frame: FrameKind
    columns: tuple[str, ...]  # landed (text) columns the frame holds, in file order
    expectations: tuple[dict[str, Any], ...]  # in suite order


def tuple_bound(columns: Iterable[str], distinct_counts: dict[str, int], rows: int) -> int:
    """The most distinct tuples `columns` can hold: the product of their distinct counts (plus
    one for empty each), never more than the file's rows."""
    return min(rows, math.prod(distinct_counts.get(c, 0) + 1 for c in columns))


def base_columns(expectation: dict[str, Any], derived: dict[str, tuple[str, ...]]) -> set[str]:
    """The landed columns a rule reads: its column arguments (an `n_` column stands for the
    landed columns it is computed from) and the columns its row condition names."""
    columns: set[str] = set()
    for column in expectation_columns(expectation):
        columns.update(derived.get(column, (column,)))
    condition = expectation["kwargs"].get("row_condition")
    if condition:
        known = {c for sources in derived.values() for c in sources}
        # a quoted value that spells a column name only makes the tuples finer, never wrong
        columns.update(name for name in _IDENTIFIER.findall(condition) if name in known)
    return columns


def frame_kind(expectation: dict[str, Any]) -> FrameKind:
    kwargs = expectation["kwargs"]
    if expectation["type"] in HEADER_RULES:
        return FrameKind.HEADER
    if expectation["type"] in ROW_WISE_RULES and kwargs.get("mostly", 1) >= 1:
        return FrameKind.DISTINCT
    return FrameKind.EVERY_ROW  # e.g. uniqueness, or a share of rows allowed to fail


def plan_groups(
    expectations: list[dict[str, Any]],
    derived: dict[str, tuple[str, ...]],
    present: list[str],
    distinct_counts: dict[str, int],
    rows: int,
) -> list[RuleGroup]:
    """Group the runnable rules into frames. Row-wise rules on the same columns share a frame;
    frames are merged while the most tuples the merged frame could hold — the product of its
    columns' distinct counts (plus one for empty each), and never more than the file's rows —
    stays within MERGE_TUPLES (a small file: one frame). Every-row rules on the same
    columns share a frame; header rules share one. Rules keep their suite order in a group."""
    sets: dict[FrameKind, dict[frozenset[str], list[dict[str, Any]]]] = {k: {} for k in FrameKind}
    for expectation in expectations:
        kind = frame_kind(expectation)
        columns = (
            frozenset()
            if kind is FrameKind.HEADER
            else frozenset(base_columns(expectation, derived))
        )
        if kind is FrameKind.EVERY_ROW and not columns:
            columns = frozenset(present)  # a rule on no named column: give it every column
        sets[kind].setdefault(columns, []).append(expectation)
    sets[FrameKind.DISTINCT] = _merged(sets[FrameKind.DISTINCT], distinct_counts, rows)
    order = {c: i for i, c in enumerate(present)}
    position = {id(e): i for i, e in enumerate(expectations)}
    return [
        RuleGroup(
            kind,
            tuple(sorted(columns, key=lambda c: order.get(c, len(order)))),
            tuple(sorted(rules, key=lambda e: position[id(e)])),
        )
        for kind in FrameKind
        for columns, rules in sets[kind].items()
    ]


def _merged(
    sets: dict[frozenset[str], list[dict[str, Any]]], distinct_counts: dict[str, int], rows: int
) -> dict[frozenset[str], list[dict[str, Any]]]:
    """Column sets merged, smallest first, into the first merged set they fit with: the union
    is bounded by MERGE_TUPLES, or one set holds the other (the larger frame is built anyway)."""

    def bound(columns: frozenset[str]) -> int:
        return tuple_bound(columns, distinct_counts, rows)

    merged: dict[frozenset[str], list[dict[str, Any]]] = {}
    for columns in sorted(sets, key=lambda c: (bound(c), sorted(c))):
        target = next(
            (
                m
                for m in merged
                if m <= columns or columns <= m or bound(m | columns) <= MERGE_TUPLES
            ),
            None,
        )
        if target is None:
            merged[columns] = list(sets[columns])
        else:
            merged[target | columns] = merged.pop(target) + sets[columns]
    return merged
