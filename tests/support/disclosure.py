"""The public schema as an outside reader sees it: is any figure of a small group shown, and can a
hidden figure be worked out from what is shown?

Written apart from the dbt rules (mart_disclosure_control), from what a reader knows:
- a school-year's pooled participants P and success share s (public.school_benchmark) give the
  sums of its parts — selection procedures that are not small-n — over participants (P) and over
  failed (P − round(s × P)); a coded pooled share gives a range of the failed sum instead;
- each part's shown figures; a hidden failed lies in [0, participants], narrowed by `is_low`
  (failed ≥ participants × low_share_threshold, always shown) and by a code («< 5 %», «> 95 %»);
  a hidden participants count is at least min_participants and at least failed.
A hidden term of one sum has exactly the values v of its bounds for which the rest of the sum is
a sum the other hidden terms can make — and integers in boxes sum to every integer between their
least and most. Each dimension is checked with the other at its true value, which is one of the
values a reader must allow: two values found so are two the reader cannot tell apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import duckdb

SHOWN_PARTS = """
select r.school_id, r.procedure_id, p.participants, p.failed, p.low_share_coded, p.is_low,
       r.participants, r.failed
from marts.fct_procedure_results r
join public.procedure_results p using (school_id, year, procedure_id)
where r.year = $year and r.in_selection and not r.small_n
order by 1, 2
"""
POOLED = """
select school_id, participants, success_share, success_share_coded
from public.school_benchmark where year = $year
"""


@dataclass(frozen=True)
class Rules:
    suppress_below: int = 10
    coding_low: Fraction = Fraction("0.05")
    coding_high: Fraction = Fraction("0.95")
    threshold: Fraction = Fraction("0.30")
    min_participants: int = 5


@dataclass(frozen=True)
class Part:
    procedure_id: str
    shown_participants: int | None
    shown_failed: int | None
    code: str | None
    is_low: bool | None  # None: says nothing (a small-n procedure is never low)
    participants: int  # the truth, from the marts
    failed: int


def failed_bounds(part: Part, rules: Rules) -> tuple[int, int]:
    """What a reader allows for a hidden failed, at the part's true participants."""
    p = part.participants
    cut = math.ceil(p * rules.threshold)
    low, high = 0, p
    if part.is_low is not None:
        low, high = (cut, p) if part.is_low else (0, cut - 1)
    if part.code and part.code.startswith("<"):
        high = min(high, math.ceil(p * rules.coding_low) - 1)
    if part.code and part.code.startswith(">"):
        low = max(low, math.floor(p * rules.coding_high) + 1)
    return low, high


def participants_bounds(part: Part, rules: Rules) -> tuple[int, float]:
    """What a reader allows for a hidden participants count, at the part's true failed."""
    f = part.failed
    limit = math.floor(f / rules.threshold)
    if part.is_low:
        return max(rules.min_participants, f), limit
    return max(rules.min_participants, f, limit + 1), math.inf


def values_left(
    bounds: list[tuple[int, float]], total_low: float, total_high: float
) -> list[tuple[float, float]]:
    """For each hidden term, the least and most it can be when the terms sum to a total in
    [total_low, total_high]."""
    ranges = []
    for i, (low, high) in enumerate(bounds):
        others_least = sum(b[0] for j, b in enumerate(bounds) if j != i)
        others_most = sum(b[1] for j, b in enumerate(bounds) if j != i)
        ranges.append((max(low, total_low - others_most), min(high, total_high - others_least)))
    return ranges


def recomputable_figures(con: duckdb.DuckDBPyConnection, year: int, rules: Rules) -> list[str]:
    """Every hidden figure of a part that what is shown pins to one value, as 'school procedure
    column = value'."""
    parts: dict[str, list[Part]] = {}
    for row in con.execute(SHOWN_PARTS, {"year": year}).fetchall():
        parts.setdefault(row[0], []).append(Part(*row[1:]))
    found = []
    for school_id, pooled_n, share, code in con.execute(POOLED, {"year": year}).fetchall():
        school_parts = parts.get(school_id, [])
        found += _pinned(school_id, school_parts, pooled_n, share, code, rules)
    return found


def _pinned(
    school_id: str,
    parts: list[Part],
    pooled_n: int | None,
    share: float | None,
    code: str | None,
    rules: Rules,
) -> list[str]:
    found = []
    hidden_n = [p for p in parts if p.shown_participants is None]
    hidden_f = [p for p in parts if p.shown_failed is None]
    if pooled_n is None:  # no sum is shown: a part's own bounds are all a reader has
        sums_n = sums_f = (-math.inf, math.inf)
    else:
        sums_n = (pooled_n - sum(p.shown_participants or 0 for p in parts),) * 2
        shown_failed = sum(p.shown_failed or 0 for p in parts)
        if share is not None:
            total = pooled_n - round(share * pooled_n)
            sums_f = (total - shown_failed,) * 2
        else:
            sums_f = _coded_failed(pooled_n, code, rules, shown_failed)
    for label, hidden, bounds_of, sums, truth in (
        ("participants", hidden_n, participants_bounds, sums_n, lambda p: p.participants),
        ("failed", hidden_f, failed_bounds, sums_f, lambda p: p.failed),
    ):
        if not hidden:
            continue
        # the other dimension at its true value: sums over hidden terms only
        ranges = values_left([bounds_of(p, rules) for p in hidden], *sums)
        for part, (low, high) in zip(hidden, ranges, strict=True):
            assert low <= truth(part) <= high, (school_id, part, label, low, high)
            if low == high:
                found.append(f"{school_id} {part.procedure_id} {label} = {truth(part)}")
    return found


def _coded_failed(
    pooled_n: int, code: str | None, rules: Rules, shown_failed: int
) -> tuple[float, float]:
    """The hidden failed sum a coded (or hidden) pooled share still allows."""
    if code and code.startswith(">"):  # success share above coding_high: failed below 1 − it
        return -math.inf, math.ceil(pooled_n * (1 - rules.coding_high)) - 1 - shown_failed
    if code and code.startswith("<"):
        return math.floor(pooled_n * (1 - rules.coding_low)) + 1 - shown_failed, math.inf
    return -math.inf, math.inf


HIDDEN_OUTSIDE_SUMS = """
select r.school_id, r.procedure_id, p.participants, p.failed, p.low_share_coded,
       case when not r.small_n then p.is_low end, r.participants, r.failed
from marts.fct_procedure_results r
join public.procedure_results p using (school_id, year, procedure_id)
where r.year = $year and not (r.in_selection and not r.small_n) and p.failed is null
  and r.participants > 0
"""


def pinned_outside_sums(con: duckdb.DuckDBPyConnection, year: int, rules: Rules) -> list[str]:
    """Hidden failed counts of procedures no shown sum includes: their own bounds (is_low, a
    code) must still leave two values."""
    found = []
    for row in con.execute(HIDDEN_OUTSIDE_SUMS, {"year": year}).fetchall():
        part = Part(*row[1:])
        low, high = failed_bounds(part, rules)
        if low == high:
            found.append(f"{row[0]} {part.procedure_id} failed = {part.failed}")
    return found


# The size of the group behind each row of a public view, from the marts (a figure is shown only
# where it is at least suppress_below).
GROUP_SIZE = {
    "procedure_results": (
        "select p.*, r.participants as group_size__ from public.procedure_results p "
        "join marts.fct_procedure_results r using (school_id, year, procedure_id)"
    ),
    "school_benchmark": (
        "select b.*, coalesce(t.n, 0) as group_size__ from public.school_benchmark b left join ("
        "select school_id, year, sum(participants) as n from marts.fct_procedure_results "
        "where in_selection and not small_n group by all) t using (school_id, year)"
    ),
    "programme_effect": (
        "select e.*, m.schools as group_size__ from public.programme_effect e "
        "join marts.mart_programme_effect m on m.entry_year is not distinct from e.entry_year "
        'and m.horizon = e.horizon and m."group" = e."group"'
    ),
}
# Numeric columns of schema public that are not figures about a group of pupils.
NOT_FIGURES = {
    "year", "grade", "entry_year", "horizon", "years_on_list", "latitude", "longitude",
    # pools the sums of the whole comparison group (similar_schools_count schools)
    "group_size", "group_success_share",
}  # fmt: skip


def numeric_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every numeric column of every view of schema public, by view."""
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'public' "
        "and database_name = current_database() and (data_type in ('TINYINT', 'SMALLINT', "
        "'INTEGER', 'BIGINT', 'HUGEINT', 'FLOAT', 'DOUBLE') or data_type like 'DECIMAL%') "
        "order by 1, 2"
    ).fetchall()
    by_view: dict[str, list[str]] = {}
    for view, column in rows:
        by_view.setdefault(view, []).append(column)
    return by_view


def figures_of_small_groups(con: duckdb.DuckDBPyConnection, suppress_below: int) -> list[str]:
    """Every numeric figure of schema public that is shown although its group is small, or that
    has no `<column>_suppressed` beside it, or whose view has no known group size."""
    problems = []
    for view, columns in numeric_columns(con).items():
        figures = [c for c in columns if c not in NOT_FIGURES]
        if not figures:
            continue
        if view not in GROUP_SIZE:
            problems.append(f"public.{view}: figures {figures} but no group size to check them")
            continue
        names = {r[0] for r in con.execute(f"describe public.{view}").fetchall()}
        for column in figures:
            if f"{column}_suppressed" not in names:
                problems.append(f"public.{view}.{column}: no {column}_suppressed")
                continue
            shown_small = con.execute(
                f'select count(*) from ({GROUP_SIZE[view]}) where "{column}" is not null '
                f"and group_size__ < {suppress_below}"
            ).fetchone()[0]
            if shown_small:
                problems.append(f"public.{view}.{column}: {shown_small} values of small groups")
    return problems
