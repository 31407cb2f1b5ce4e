"""A school's whole history for its page (`school_site`), read from the marts for every year the
warehouse holds: its facts by year (`school_facts`), the rule set of the years it was listed, its
success share over the years beside its comparison group's (a chart), its results per procedure
and year with their Wilson intervals, the outcome rows of its entries onto the list, the partners
it was given and the schools it mentors by year, and the nearest similar schools of its latest
year. Coded values in the words of `marts.dim_code_labels`.

Schools come one at a time in school_id order, each stream read side by side (`_rows_of`): a
national warehouse holds 40,000 schools × 6 years. With shards, a task reads only the schools whose
code hashes to its shard, so the pages are written by several workers at once.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb

from nro_pipeline.lib.reports.charts import HistoryChart, history_chart
from nro_pipeline.lib.reports.formatting import fmt_interval, fmt_number, fmt_share
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS, label_of, load_labels
from nro_pipeline.lib.reports.report_data import municipality_pages
from nro_pipeline.lib.reports.report_tables import ASSUMED_MARK, page_name
from nro_pipeline.lib.reports.school_facts import (
    Cell,
    FactGroup,
    Labels,
    decision_facts,
    fact_groups,
    in_order,
    year_facts,
)
from nro_pipeline.lib.reports.support_outcomes import fmt_points

SIMILAR_SHOWN = 5  # nearest similar schools listed on a page (the mart keeps the whole group)
_SIGNALS = ", ".join(f"o.{signal}" for signal in OBJECTIVITY_SIGNALS)
_PROFILES = f"""
    select s.school_id, s.year, s.school_name, s.municipality, s.on_initial_list, s.reasons,
           s.rule_set, s.list_confidence, s.list_status, s.years_on_list, s.support_stage,
           c.cluster, c.result_index, c.isbsh, c.isbsh_quintile, c.social_status,
           b.benchmark_level, b.group_percentile, b.group_size, b.success_share,
           b.group_success_share, o.school_id is not null, {_SIGNALS}
    from marts.mart_low_results s
    left join marts.mart_school_clusters c on c.school_id = s.school_id and c.year = s.year
    left join marts.mart_school_benchmark b on b.school_id = s.school_id and b.year = s.year
    left join marts.mart_vpr_objectivity o on o.school_id = s.school_id and o.year = s.year
    where hash(s.school_id) % $shards = $shard
    order by s.school_id, s.year desc
"""
_RESULTS = """
    select f.school_id, f.procedure_name, f.year, f.participants, f.low_share,
           f.low_share_ci_lower, f.low_share_ci_upper, f.small_n, f.is_low
    from marts.fct_procedure_results f
    where f.in_selection and hash(f.school_id) % $shards = $shard
    order by f.school_id, f.procedure_id, f.year
"""
# The similar schools of the school's latest year, with what their link says of them that year.
_SIMILAR = """
    select m.school_id, m.similar_school_id, s.school_name, s.municipality, s.on_initial_list,
           m.distance
    from marts.mart_similar_schools m
    join (select school_id, max(year) as year from marts.mart_low_results group by all) l
      on l.school_id = m.school_id and l.year = m.year
    join marts.mart_low_results s on s.school_id = m.similar_school_id and s.year = m.year
    where m.rank <= $shown and hash(m.school_id) % $shards = $shard
    order by m.school_id, m.rank
"""
_PAIRS = """
    select p.school_id, p.year, p.partner_id, pn.school_name, mn.school_name, p.match_type,
           p.distance_km, p.reason,
           (ms.latitude is null or ms.longitude is null
            or pc.latitude is null or pc.longitude is null) as assumed
    from marts.mart_partner_matches p
    left join staging.stg_schools ms on ms.school_id = p.school_id and ms.year = p.year
    left join staging.stg_schools pc on pc.school_id = p.partner_id and pc.year = p.year
    left join marts.mart_low_results pn on pn.school_id = p.partner_id and pn.year = p.year
    left join marts.mart_low_results mn on mn.school_id = p.school_id and mn.year = p.year
    order by p.year desc, p.school_id, p.rank
"""
# Support outcomes (docs/methodology.md, «Результаты поддержки»): every entry onto the list, as far
# as the warehouse has followed it.
_OUTCOMES = """
    select o.school_id, o.entry_year, o.horizon, o.baseline_success_share,
           o.followup_success_share, o.change, o.comparison_count, o.comparison_change, o.effect
    from marts.mart_list_outcomes o order by o.school_id, o.entry_year, o.horizon
"""
LABEL_DOMAINS = (
    "list_confidence",
    "list_status",
    "support_stage",
    "cluster",
    "social_status",
    "benchmark_level",
    "objectivity_signal",
    "match_type",
    "decision",
    "partner_source",
)


@dataclass(frozen=True)
class SchoolHistory:
    school_id: str
    name: str  # as in its latest year
    municipality: str
    municipality_href: str  # its municipality's page of its latest year
    years: list[int]  # the years the warehouse has the school, newest first
    listed_years: list[int]  # the years it was on the list, newest first
    rules: list[tuple[int, str]]  # the rule set of each year it was on the list
    facts: list[FactGroup]
    chart: HistoryChart  # success share of the school and of its comparison group
    result_years: list[int]  # columns of the results table, newest first
    results: list[tuple[str, list[Cell]]]  # procedure, a cell per result year
    partners: list[tuple[int, str, str, str]]  # year, text, href, note
    mentees: list[tuple[int, str, str]]  # year, text, href
    similar: list[tuple[str, str, str]]  # text, href, note (of its latest year)
    outcomes: list[list[str]]  # entry year, horizon, shares, changes, effect


@functools.cache  # shares are ratios of small counts: a national year repeats a few thousand cells
def _result_cell(participants: int, share: Any, lower: Any, upper: Any, small: bool, low: bool):
    if not participants:
        return "нет участников", "none"
    text = f"{fmt_share(share)} [{fmt_interval(lower, upper)}], n\u00a0=\u00a0{participants}"
    return text, "low" if low else ("small" if small else "")


def _pairs(
    con: duckdb.DuckDBPyConnection, labels: Labels
) -> tuple[dict[str, list[tuple[int, str, str, str]]], dict[str, list[tuple[int, str, str]]]]:
    """Each listed school's partners by year (or why it has none) and each partner's mentees."""
    partners: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    mentees: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    rows = con.execute(_PAIRS).fetchall()
    for mentee, year, partner, name, mentee_name, match, distance, reason, assumed in rows:
        if partner is None:
            partners[mentee].append((year, reason or "—", "", ""))
            continue
        km = fmt_number(distance, 1) + " км" + (f" ({ASSUMED_MARK})" if assumed else "")
        note = f"{label_of(labels['match_type'], match)}, {km}"
        partners[mentee].append((year, f"{name} ({partner})", page_name(partner), note))
        mentees[partner].append((year, f"{mentee_name} ({mentee})", page_name(mentee)))
    return partners, mentees


def _outcomes(con: duckdb.DuckDBPyConnection) -> dict[str, list[list[str]]]:
    outcomes: dict[str, list[list[str]]] = defaultdict(list)
    for school_id, entry, horizon, before, after, change, count, others, effect in con.execute(
        _OUTCOMES
    ).fetchall():
        outcomes[school_id].append(
            [
                str(entry),
                str(horizon),
                fmt_share(before),
                fmt_share(after),
                fmt_points(change),
                str(count),
                fmt_points(others),
                fmt_points(effect),
            ]
        )
    return outcomes


def _similar(rows: list[tuple[Any, ...]]) -> list[tuple[str, str, str]]:
    similar = []
    for _, similar_id, name, municipality, listed, distance in rows:
        note = f"{municipality}; расстояние по признакам ИСБШ {fmt_number(distance, 2)}"
        similar.append(
            (
                f"{name} ({similar_id})",
                page_name(similar_id),
                note + (", в списке ШНОР" if listed else ""),
            )
        )
    return similar


def _results(rows: list[tuple[Any, ...]], years: list[int]) -> list[tuple[str, list[Cell]]]:
    cells: dict[str, dict[int, Cell]] = {}
    for _, procedure, y, n, share, lower, upper, small, low in rows:
        cells.setdefault(procedure, {})[y] = _result_cell(n, share, lower, upper, small, low)
    return [
        (procedure, [by_year.get(y, ("—", "none")) for y in years])
        for procedure, by_year in cells.items()
    ]


def _municipality_pages(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, str]]:
    """Each year's municipality pages, relative to the school pages' folder."""
    names: dict[int, list[str]] = defaultdict(list)
    for year, municipality in con.execute(
        "select distinct year, municipality from marts.mart_low_results"
    ).fetchall():
        names[year].append(municipality)
    return {
        year: {m: f"../{year}/{href}" for m, href in municipality_pages(found).items()}
        for year, found in names.items()
    }


def school_histories(
    con: duckdb.DuckDBPyConnection, shard: int = 0, shards: int = 1
) -> Iterator[SchoolHistory]:
    """Every school of the warehouse with its history, one at a time in school_id order; with
    `shards` > 1, only the schools whose code hashes to `shard` (the pages split across workers)."""
    part = {"shard": shard, "shards": shards}
    labels = {domain: load_labels(con, domain) for domain in LABEL_DOMAINS}
    pages = _municipality_pages(con)
    partners, mentees = _pairs(con, labels)
    outcomes = _outcomes(con)
    decisions = decision_facts(con, labels)
    # Three cursors read side by side: each needs a connection of its own.
    profiles = _grouped(_batched(con.cursor().execute(_PROFILES, part)))
    results_of = _rows_of(_grouped(_batched(con.cursor().execute(_RESULTS, part))))
    similar = con.cursor().execute(_SIMILAR, {"shown": SIMILAR_SHOWN, **part})
    similar_of = _rows_of(_grouped(_batched(similar)))
    for school_id, rows in profiles:  # newest year first
        latest = rows[0]
        years = [row[1] for row in rows]
        results = results_of(school_id)
        result_years = sorted({row[2] for row in results} | set(years), reverse=True)
        by_year = [
            in_order(year_facts(row, labels), decisions.get((school_id, row[1]), {}))
            for row in rows
        ]
        yield SchoolHistory(
            school_id,
            name=latest[2],
            municipality=latest[3],
            municipality_href=pages[latest[1]][latest[3]],
            years=years,
            listed_years=[row[1] for row in rows if row[4]],
            rules=[(row[1], row[6] or "—") for row in rows if row[4]],
            facts=fact_groups(by_year),
            chart=history_chart([(row[1], row[19], row[20]) for row in reversed(rows)]),
            result_years=result_years,
            results=_results(results, result_years),
            partners=partners.get(school_id, []),
            mentees=mentees.get(school_id, []),
            similar=_similar(similar_of(school_id)),
            outcomes=outcomes.get(school_id, []),
        )


def _grouped(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(school_id, its rows) of rows ordered by school_id (their first column)."""
    for school_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield school_id, list(group)


def _rows_of(
    groups: Iterator[tuple[str, list[tuple[Any, ...]]]],
) -> Callable[[str], list[tuple[Any, ...]]]:
    """A lockstep reader: the rows of `school_id` from groups ordered by school_id, as the
    profiles are (DuckDB orders VARCHAR by code point, as Python compares str)."""
    pending: tuple[str, list[tuple[Any, ...]]] | None = None

    def rows(school_id: str) -> list[tuple[Any, ...]]:
        nonlocal pending
        while True:
            if pending is None:
                pending = next(groups, None)
                if pending is None:
                    return []
            key, group = pending
            if key > school_id:
                return []
            pending = None
            if key == school_id:
                return group

    return rows


def _batched(cursor: duckdb.DuckDBPyConnection, size: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """Rows a batch at a time: a national warehouse has 12 M result rows, too many as tuples."""
    while batch := cursor.fetchmany(size):
        yield from batch
