"""The suites' row rules as SQL predicates: which rows of a landed year GX would count unexpected.

GX Core owns the suites, the verdicts and Data Docs; this module only screens, inside DuckDB,
so that GX is handed the rows that break a rule (usually none) instead of every distinct tuple.
A rule of a type compiled here becomes a predicate true exactly where GX's pandas engine counts a
row unexpected: nulls skipped as GX skips them, its pandas row condition (`col=="value"`) applied,
regexes searched by Python's `re` through a DuckDB function (`\\d` and `\\s` are Unicode there, as
for GX; DuckDB's RE2 would differ), numbers compared as the frame GX gets holds them (DuckDB's
TRY_CAST, NaN as empty). A rule whose type, arguments or condition are not compiled gets no
predicate and runs in GX on every tuple, as before. `tests/unit/test_rule_sql.py` checks, on
random frames, that SQL flags the same rows as GX for every rule of the five suites and every
option compiled here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

REGEX_FUNCTION = "nro_python_re_search"
UNIQUENESS_RULES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
_CONDITION = re.compile(r"""^\s*([A-Za-z_]\w*)\s*==\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*$""")


@dataclass(frozen=True)
class Screen:
    """A rule group's rows that break some rule: a row predicate (`where`) or, for uniqueness,
    a predicate over window counts (`qualify`)."""

    where: str | None = None
    qualify: str | None = None


def group_screen(expectations: list[dict[str, Any]], parameters: dict[str, Any]) -> Screen | None:
    """One predicate for a group's rules (a row breaking any of them), or None when a rule of the
    group is not compiled: the group then runs in GX on every tuple."""
    if all(e["type"] in UNIQUENESS_RULES for e in expectations):
        duplicates = [duplicate_predicate(e) for e in expectations]
        if None in duplicates:
            return None
        return Screen(qualify=" OR ".join(f"({d})" for d in duplicates))
    predicates = [unexpected_predicate(e, parameters) for e in expectations]
    if None in predicates:
        return None
    return Screen(where=" OR ".join(f"({p})" for p in predicates))


def unexpected_predicate(expectation: dict[str, Any], parameters: dict[str, Any]) -> str | None:
    """SQL true for a row the rule counts unexpected; None if the rule is not compiled."""
    kwargs = {k: _resolved(v, parameters) for k, v in expectation["kwargs"].items()}
    if kwargs.get("mostly", 1) < 1:
        return None
    condition = row_condition(kwargs)
    compile_rule = _COMPILERS.get(expectation["type"])
    if condition is None or compile_rule is None:
        return None
    try:
        predicate = compile_rule(kwargs)
    except (KeyError, TypeError, ValueError, re.error):
        return None  # arguments GX may refuse: GX says so, on every tuple
    return None if predicate is None else f"({condition}) AND ({predicate})"


def duplicate_predicate(expectation: dict[str, Any]) -> str | None:
    """For a uniqueness rule: SQL over window counts, true for a row whose value (or tuple of
    values) another counted row holds too; None if not compiled."""
    kwargs = expectation["kwargs"]
    if kwargs.get("row_condition") or kwargs.get("mostly", 1) < 1:
        return None
    if expectation["type"] == "expect_column_values_to_be_unique":
        columns, counted = [kwargs["column"]], _present(kwargs["column"])
    else:
        columns = list(kwargs["column_list"])
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        joiner = {"all_values_are_missing": " OR ", "any_value_is_missing": " AND "}.get(ignore)
        if joiner is None and ignore != "never":
            return None
        counted = joiner.join(_present(c) for c in columns) if joiner else "TRUE"
    key = ", ".join(_quoted(c) for c in columns)
    return f"({counted}) AND count(*) FILTER (WHERE {counted}) OVER (PARTITION BY {key}) > 1"


def row_condition(kwargs: dict[str, Any]) -> str | None:
    """A pandas row condition `column=="value"` as SQL ("TRUE" without one); None otherwise."""
    condition = kwargs.get("row_condition")
    if not condition:
        return "TRUE"
    match = _CONDITION.match(condition)
    if kwargs.get("condition_parser") != "pandas" or match is None:
        return None
    column, double, single = match.groups()
    return f"{_quoted(column)} = {_literal(double if double is not None else single)}"


@contextmanager
def python_regex(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """`nro_python_re_search(value, pattern)` on `con` while screening: Python's `re.search`,
    which GX's pandas engine uses (`str.contains`)."""
    from duckdb.sqltypes import BOOLEAN, VARCHAR

    con.create_function(REGEX_FUNCTION, _search, [VARCHAR, VARCHAR], BOOLEAN, type="arrow")
    try:
        yield
    finally:
        con.remove_function(REGEX_FUNCTION)


def _search(values: pa.Array, patterns: pa.Array) -> pa.Array:
    compiled: dict[str, re.Pattern[str]] = {}
    found = [
        None
        if value is None
        else bool(compiled.setdefault(pattern, re.compile(pattern)).search(value))
        for value, pattern in zip(values.to_pylist(), patterns.to_pylist(), strict=True)
    ]
    return pa.array(found, pa.bool_())


def _not_null(kwargs: dict[str, Any]) -> str:
    return f"NOT {_present(kwargs['column'])}"


def _null(kwargs: dict[str, Any]) -> str:
    return _present(kwargs["column"])


def _in_set(kwargs: dict[str, Any], negate: bool = False) -> str | None:
    column, values = kwargs["column"], kwargs["value_set"]
    literals = _set_literals(column, values)
    if literals is None:
        return None
    member = f"{_quoted(column)} IN ({literals})" if literals else "FALSE"
    return f"{_present(column)} AND {member if negate else f'NOT ({member})'}"


def _regex(kwargs: dict[str, Any], negate: bool = False) -> str | None:
    column, pattern = kwargs["column"], kwargs["regex"]
    if _is_numeric(column) or not isinstance(pattern, str):
        return None  # GX searches the text pandas prints for a number: not compiled
    re.compile(pattern)
    found = f"{REGEX_FUNCTION}({_quoted(column)}, {_literal(pattern)})"
    return f"{_present(column)} AND {found if negate else f'NOT {found}'}"


def _between(kwargs: dict[str, Any]) -> str | None:
    column = kwargs["column"]
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if not _is_numeric(column) or (low is None and high is None):
        return None
    inside = []
    for bound, strict, sign in ((low, "strict_min", ">"), (high, "strict_max", "<")):
        if bound is None:
            continue
        if not _is_number(bound):
            return None
        inside.append(f"{_quoted(column)} {sign}{'' if kwargs.get(strict) else '='} {bound!r}")
    return f"{_present(column)} AND NOT ({' AND '.join(inside)})"


def _pair(kwargs: dict[str, Any], operator: str) -> str | None:
    a, b = kwargs["column_A"], kwargs["column_B"]
    ignored = {
        "either_value_is_missing": f"NOT {_present(a)} OR NOT {_present(b)}",
        "both_values_are_missing": f"NOT {_present(a)} AND NOT {_present(b)}",
        "neither": "FALSE",
    }.get(kwargs.get("ignore_row_if", "both_values_are_missing"))
    if ignored is None or _is_numeric(a) != _is_numeric(b):
        return None
    # pandas compares a missing value as false: such a row is unexpected unless ignored
    return f"NOT ({ignored}) AND NOT coalesce({_quoted(a)} {operator} {_quoted(b)}, FALSE)"


def _greater(kwargs: dict[str, Any]) -> str | None:
    return _pair(kwargs, ">=" if kwargs.get("or_equal") else ">")


_COMPILERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_null": _null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_not_be_in_set": lambda kwargs: _in_set(kwargs, negate=True),
    "expect_column_values_to_match_regex": _regex,
    "expect_column_values_to_not_match_regex": lambda kwargs: _regex(kwargs, negate=True),
    "expect_column_values_to_be_between": _between,
    "expect_column_pair_values_to_be_equal": lambda kwargs: _pair(kwargs, "="),
    "expect_column_pair_values_a_to_be_greater_than_b": _greater,
}


def _set_literals(column: str, values: Any) -> str | None:
    """The set as SQL literals of the column's type ("" for an empty set); None when a value's
    type differs from the column's (pandas would compare a number with a text as unequal)."""
    if not isinstance(values, list | tuple | set | frozenset):
        return None
    numeric = _is_numeric(column)
    if not all(_is_number(v) if numeric else isinstance(v, str) for v in values):
        return None
    return ", ".join(repr(float(v)) if numeric else _literal(v) for v in values)


def _resolved(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        return parameters[value["$PARAMETER"]]
    return value


def _is_numeric(column: str) -> bool:
    """Numeric rules read the derived `n_` columns (`validation_frames.derived_columns`)."""
    return column.startswith("n_")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _present(column: str) -> str:
    return f"{_quoted(column)} IS NOT NULL"


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
