"""A school's whole history for its page (`school_site`), read from the marts for every year the
warehouse holds: its facts by year (`school_facts`), the rule set of the years it was listed, its
success share over the years beside its comparison group's (a chart), its results per procedure
and year with their Wilson intervals, the outcome rows of its entries onto the list, the partners
it was given and the schools it mentors by year, and the nearest similar schools of its latest
year. Coded values in the words of `marts.dim_code_labels`.

Schools come one at a time in school_id order, each stream read side by side (`_rows_of`): a
national warehouse holds 40,000 schools × 6 years. With shards, a task reads only the schools whose
code hashes to its shard (and their pairs, decisions and outcomes), so the pages are written by
several workers at once. The cells of the facts and results tables come as markup, a row's cells
joined once here rather than escaped one by one in the template (about 150 a page).
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
from markupsafe import Markup, escape

from nro_pipeline.lib.reports.charts import HistoryChart, history_chart
from nro_pipeline.lib.reports.formatting import fmt_interval, fmt_number, fmt_share
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS, label_of, load_labels
from nro_pipeline.lib.reports.report_data import municipality_pages
from nro_pipeline.lib.reports.report_tables import ASSUMED_MARK, page_name
from nro_pipeline.lib.reports.school_facts import (
    FactGroup,
    Labels,
    decision_facts,
    fact_groups,
    year_facts,
)
from nro_pipeline.lib.reports.support_outcomes import fmt_points

SIMILAR_SHOWN = 5  # nearest similar schools listed on a page (the mart keeps the whole group)
_page_name = functools.cache(page_name)  # a school is linked from the pages of its neighbours
_SIGNALS = ", ".join(f"o.{signal}" for signal in OBJECTIVITY_SIGNALS)
# A year's rule set (a paragraph) shows only for the years on the list: read for those alone, the
# profiles of a national shard read a fifth faster.
_PROFILES = f"""
    select s.school_id, s.year, s.school_name, s.municipality, s.on_initial_list, s.reasons,
           case when s.on_initial_list then s.rule_set end, s.list_confidence, s.list_status,
           s.years_on_list, s.support_stage,
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
# A result names its procedure by its place (from 1) in `_PROCEDURES`: a national shard reads a
# million result rows, and their procedure names as text would be a third of the reading.
_PROCEDURES = """
    select distinct procedure_name from marts.fct_procedure_results where in_selection order by 1
"""
_RESULTS = """
    select f.school_id, list_position($procedures, f.procedure_name), f.year, f.participants,
           f.low_share, f.low_share_ci_lower, f.low_share_ci_upper, f.small_n, f.is_low
    from marts.fct_procedure_results f
    where f.in_selection and hash(f.school_id) % $shards = $shard
    order by f.school_id, f.procedure_id, f.year
"""
# The similar schools of the school's latest year, with what their link says of them that year.
# `$latest`, the years that are some school's latest (`_LATEST`; nearly always the newest alone):
# a filter of constants lets DuckDB skip the other years of the mart (50 rows a school and year).
_LATEST = "select distinct max(year) from marts.mart_low_results group by school_id"
_SIMILAR = """
    select m.school_id, m.similar_school_id, s.school_name, s.municipality, s.on_initial_list,
           m.distance
    from marts.mart_similar_schools m
    join (select school_id, max(year) as year from marts.mart_low_results group by all) l
      on l.school_id = m.school_id and l.year = m.year
    join marts.mart_low_results s on s.school_id = m.similar_school_id and s.year = m.year
    where list_contains($latest, m.year) and m.rank <= $shown
      and hash(m.school_id) % $shards = $shard
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
    where hash(p.school_id) % $shards = $shard or hash(p.partner_id) % $shards = $shard
    order by p.year desc, p.school_id, p.rank
"""
# Support outcomes (docs/methodology.md, «Результаты поддержки»): every entry onto the list, as far
# as the warehouse has followed it.
_OUTCOMES = """
    select o.school_id, o.entry_year, o.horizon, o.baseline_success_share,
           o.followup_success_share, o.change, o.comparison_count, o.comparison_change, o.effect
    from marts.mart_list_outcomes o
    where hash(o.school_id) % $shards = $shard
    order by o.school_id, o.entry_year, o.horizon
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
    results: list[tuple[str, Markup]]  # procedure, its cells (one per result year) as markup
    partners: list[tuple[int, str, str, str]]  # year, text, href, note
    mentees: list[tuple[int, str, str]]  # year, text, href
    similar: list[tuple[str, str, str]]  # text, href, note (of its latest year)
    outcomes: list[list[str]]  # entry year, horizon, shares, changes, effect


@functools.cache  # shares are ratios of small counts: a national year repeats a few thousand cells
def _result_cell(
    participants: int, share: Any, lower: Any, upper: Any, small: bool, low: bool
) -> Markup:
    if not participants:
        return _td("нет участников", "none")
    text = f"{fmt_share(share)} [{fmt_interval(lower, upper)}], n\u00a0=\u00a0{participants}"
    return _td(text, "low" if low else ("small" if small else ""))


def _td(text: str, css: str) -> Markup:
    """A cell of the results table as markup: a row's cells are joined here, once, rather than
    cell by cell in the template (a national site has two million of them)."""
    return Markup(f'<td class="{css}">{escape(text)}</td>')


_NO_RESULT = _td("—", "none")


def _pairs(
    con: duckdb.DuckDBPyConnection, labels: Labels, part: dict[str, int]
) -> tuple[dict[str, list[tuple[int, str, str, str]]], dict[str, list[tuple[int, str, str]]]]:
    """Each listed school's partners by year (or why it has none) and each partner's mentees, of
    the pairs where the school or its partner is of the shard (`part`)."""
    partners: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    mentees: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    rows = con.execute(_PAIRS, part).fetchall()
    for mentee, year, partner, name, mentee_name, match, distance, reason, assumed in rows:
        if partner is None:
            partners[mentee].append((year, reason or "—", "", ""))
            continue
        km = fmt_number(distance, 1) + " км" + (f" ({ASSUMED_MARK})" if assumed else "")
        note = f"{label_of(labels['match_type'], match)}, {km}"
        partners[mentee].append((year, f"{name} ({partner})", _page_name(partner), note))
        mentees[partner].append((year, f"{mentee_name} ({mentee})", _page_name(mentee)))
    return partners, mentees


def _outcomes(con: duckdb.DuckDBPyConnection, part: dict[str, int]) -> dict[str, list[list[str]]]:
    outcomes: dict[str, list[list[str]]] = defaultdict(list)
    for school_id, entry, horizon, before, after, change, count, others, effect in con.execute(
        _OUTCOMES, part
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
                _page_name(similar_id),
                note + (", в списке ШНОР" if listed else ""),
            )
        )
    return similar


def _results(
    rows: list[tuple[Any, ...]], years: list[int], procedures: list[str]
) -> list[tuple[str, Markup]]:
    cells: dict[int, dict[int, Markup]] = {}
    for _, procedure, y, n, share, lower, upper, small, low in rows:
        cells.setdefault(procedure, {})[y] = _result_cell(n, share, lower, upper, small, low)
    return [
        (procedures[at - 1], Markup("".join([by_year.get(y, _NO_RESULT) for y in years])))
        for at, by_year in cells.items()
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
    partners, mentees = _pairs(con, labels, part)
    outcomes = _outcomes(con, part)
    decisions = decision_facts(con, labels, part)
    procedures = [name for (name,) in con.execute(_PROCEDURES).fetchall()]
    latest_years = [year for (year,) in con.execute(_LATEST).fetchall()]
    # Three cursors read side by side: each needs a connection of its own.
    profiles = _grouped(con.cursor().execute(_PROFILES, part))
    by_procedure = {"procedures": procedures, **part}
    results_of = _rows_of(_grouped(con.cursor().execute(_RESULTS, by_procedure)))
    similar = con.cursor().execute(
        _SIMILAR, {"latest": latest_years, "shown": SIMILAR_SHOWN, **part}
    )
    similar_of = _rows_of(_grouped(similar))
    for school_id, rows in profiles:  # newest year first
        latest = rows[0]
        years = [row[1] for row in rows]
        results = results_of(school_id)
        result_years = sorted({row[2] for row in results} | set(years), reverse=True)
        by_year = [year_facts(row, labels, decisions.get((school_id, row[1]), {})) for row in rows]
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
            results=_results(results, result_years, procedures),
            partners=partners.get(school_id, []),
            mentees=mentees.get(school_id, []),
            similar=_similar(similar_of(school_id)),
            outcomes=outcomes.get(school_id, []),
        )


def _grouped(cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(school_id, its rows) of a query ordered by school_id (its first column), read a batch at
    a time: a national warehouse has 12 M result rows, too many as tuples."""
    batches = iter(functools.partial(cursor.fetchmany, 50_000), [])
    rows = itertools.chain.from_iterable(batches)
    for school_id, group in itertools.groupby(rows, key=operator.itemgetter(0)):
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
