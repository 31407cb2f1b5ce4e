"""The outside reader of tests/support/disclosure.py on hand-built tables: it must find a hidden
figure that the shown sums give away, and pass the same school once a second part is hidden.
(The rules themselves are tested by dbt's unit tests of mart_disclosure_control and
public_school_benchmark, and on the planted region by tests/e2e/test_public_edition.py.)"""

from __future__ import annotations

import duckdb

from tests.support.disclosure import (
    Rules,
    figures_of_small_groups,
    pinned_outside_sums,
    recomputable_figures,
)

# school, procedure, in_selection, small_n, participants, failed, is_low
TRUTH = [
    ("A", "P1", True, False, 8, 2, False),
    ("A", "P2", True, False, 50, 10, False),
    ("A", "P3", True, False, 30, 6, False),
    ("B", "P1", False, False, 15, 0, False),
]


def _warehouse(shown: dict[tuple[str, str], tuple], pooled: tuple) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts; create schema public")
    con.execute(
        "create table marts.fct_procedure_results (school_id varchar, year int, procedure_id "
        "varchar, in_selection bool, small_n bool, participants int, failed int, is_low bool)"
    )
    con.executemany(
        "insert into marts.fct_procedure_results values (?, 2024, ?, ?, ?, ?, ?, ?)", TRUTH
    )
    con.execute(
        "create table public.procedure_results (school_id varchar, year int, procedure_id "
        "varchar, participants int, failed int, low_share_coded varchar, is_low bool)"
    )
    for school, procedure, *_, is_low in TRUTH:
        participants, failed, code = shown[(school, procedure)]
        con.execute(
            "insert into public.procedure_results values (?, 2024, ?, ?, ?, ?, ?)",
            [school, procedure, participants, failed, code, is_low],
        )
    con.execute(
        "create table public.school_benchmark (school_id varchar, year int, participants int, "
        "success_share double, success_share_coded varchar)"
    )
    con.execute("insert into public.school_benchmark values ('A', 2024, ?, ?, ?)", list(pooled))
    return con


SMALL_ONLY = {
    ("A", "P1"): (None, None, None),  # 8 participants: hidden
    ("A", "P2"): (50, 10, None),
    ("A", "P3"): (30, 6, None),
    ("B", "P1"): (15, None, None),
}
POOLED = (88, 70 / 88, None)


def test_one_hidden_part_beside_a_shown_total_is_found() -> None:
    con = _warehouse(SMALL_ONLY, POOLED)
    assert recomputable_figures(con, 2024, Rules()) == [
        "A P1 participants = 8",
        "A P1 failed = 2",
    ]


def test_a_second_hidden_part_keeps_both_unknown() -> None:
    complemented = {**SMALL_ONLY, ("A", "P3"): (None, None, None)}
    assert recomputable_figures(_warehouse(complemented, POOLED), 2024, Rules()) == []


def test_a_withheld_total_leaves_only_each_parts_own_bounds() -> None:
    assert recomputable_figures(_warehouse(SMALL_ONLY, (None, None, None)), 2024, Rules()) == []


def test_hidden_parts_that_all_passed_are_found() -> None:
    truth_zero = [("A", "P1", True, False, 8, 0, False), ("A", "P3", True, False, 6, 0, False)]
    con = _warehouse({**SMALL_ONLY, ("A", "P3"): (None, None, None)}, (64, 54 / 64, None))
    con.execute("delete from marts.fct_procedure_results where procedure_id in ('P1', 'P3')")
    con.executemany(
        "insert into marts.fct_procedure_results values (?, 2024, ?, ?, ?, ?, ?, ?)", truth_zero
    )
    assert recomputable_figures(con, 2024, Rules()) == ["A P1 failed = 0", "A P3 failed = 0"]


def test_a_code_that_leaves_one_count_is_found() -> None:
    coded = {**SMALL_ONLY, ("B", "P1"): (15, None, "< 5 %")}  # 15 × 5 % < 1: «< 5 %» means 0
    assert pinned_outside_sums(_warehouse(coded, POOLED), 2024, Rules()) == ["B P1 failed = 0"]
    hidden = {**SMALL_ONLY, ("B", "P1"): (15, None, None)}  # «с»: 0 to 4 (not low)
    assert pinned_outside_sums(_warehouse(hidden, POOLED), 2024, Rules()) == []


def test_the_scan_names_figures_it_cannot_vouch_for() -> None:
    con = _warehouse(SMALL_ONLY, POOLED)
    con.execute("drop table public.procedure_results; drop table public.school_benchmark")
    con.execute(
        "create view public.procedure_results as select 'A' as school_id, 2024 as year, "
        "'P1' as procedure_id, 8 as participants, false as participants_suppressed, 2 as failed"
    )
    con.execute("create view public.new_view as select 12 as participants")
    assert figures_of_small_groups(con, 10) == [
        "public.new_view: figures ['participants'] but no group size to check them",
        "public.procedure_results.failed: no failed_suppressed",
        "public.procedure_results.participants: 1 values of small groups",
    ]
