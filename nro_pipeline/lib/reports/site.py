"""The year's offline site beside the report: a page per school and per municipality.

`schools/<code>.html`: the school's list status (rule set, confidence, movement, years on the
list), cluster, ISBSh quintile, its benchmark against similar schools (level, percentile, size of
the comparison group), its VPR objectivity signals, its nearest similar schools (linked), partner
(or the schools it mentors) and its years of results per procedure with their Wilson intervals.
`municipalities/<n>.html`: the municipality's schools. Coded values are shown in the words of
`marts.dim_code_labels`.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from nro_pipeline.lib.reports.formatting import (
    NO,
    NO_DATA,
    YES,
    fmt_interval,
    fmt_number,
    fmt_share,
)
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS, label_of, load_labels
from nro_pipeline.lib.reports.report_data import ReportData, decision_facts, municipality_pages
from nro_pipeline.lib.reports.report_tables import ASSUMED_MARK, page_name
from nro_pipeline.lib.reports.site_template import MUNICIPALITY_TEMPLATE, SCHOOL_TEMPLATE
from nro_pipeline.lib.reports.support_outcomes import fmt_points

SIMILAR_SHOWN = 5  # nearest similar schools listed on a page (the mart keeps the whole group)
_SIGNALS = ", ".join(f"o.{signal}" for signal in OBJECTIVITY_SIGNALS)
_PROFILES = f"""
    select s.school_id, s.school_name, s.municipality, s.on_initial_list, s.reasons, s.rule_set,
           s.list_confidence, s.list_status, s.years_on_list, c.cluster, c.result_index,
           c.isbsh, c.isbsh_quintile, c.social_status,
           b.benchmark_level, b.group_percentile, b.group_size, b.success_share,
           b.group_success_share, o.school_id is not null, {_SIGNALS}
    from marts.mart_low_results s
    left join marts.mart_school_clusters c on c.school_id = s.school_id and c.year = s.year
    left join marts.mart_school_benchmark b on b.school_id = s.school_id and b.year = s.year
    left join marts.mart_vpr_objectivity o on o.school_id = s.school_id and o.year = s.year
    where s.year = $year order by s.school_id
"""
# Support outcomes (docs/methodology.md, «Результаты поддержки»): the school's stage and the outcome
# rows of its entries onto the list, as far as the page's year has followed them.
_STAGES = "select school_id, support_stage from marts.mart_low_results where year = $year"
_OUTCOMES = """
    select o.school_id, o.entry_year, o.horizon, o.baseline_success_share,
           o.followup_success_share, o.change, o.comparison_count, o.comparison_change, o.effect
    from marts.mart_list_outcomes o
    where o.followup_year <= $year
      and o.school_id in (select school_id from marts.mart_low_results where year = $year)
    order by o.school_id, o.entry_year, o.horizon
"""
_SIMILAR = """
    select m.school_id, m.similar_school_id, m.distance
    from marts.mart_similar_schools m
    where m.year = $year and m.rank <= $shown order by m.school_id, m.rank
"""
_RESULTS_OF_YEAR = """
    from marts.fct_procedure_results f
    where f.year <= $year and f.in_selection
      and f.school_id in (select school_id from marts.mart_low_results where year = $year)
"""
_RESULTS = f"""
    select f.school_id, f.procedure_name, f.year, f.participants, f.low_share,
           f.low_share_ci_lower, f.low_share_ci_upper, f.small_n, f.is_low
    {_RESULTS_OF_YEAR}
    order by f.school_id, f.procedure_id, f.year
"""
_RESULT_YEARS = f"select distinct f.year {_RESULTS_OF_YEAR} order by 1"
_PAIRS = """
    select p.school_id, p.partner_id, p.match_type, p.distance_km, p.reason,
           (ms.latitude is null or ms.longitude is null
            or pc.latitude is null or pc.longitude is null) as assumed
    from marts.mart_partner_matches p
    left join staging.stg_schools ms on ms.school_id = p.school_id and ms.year = p.year
    left join staging.stg_schools pc on pc.school_id = p.partner_id and pc.year = p.year
    where p.year = $year order by p.school_id, p.rank
"""


@dataclass
class SchoolPage:
    school_id: str
    name: str
    municipality: str
    municipality_href: str
    facts: list[tuple[str, str]]
    years: list[int]
    results: list[tuple[str, list[tuple[str, str]]]]  # procedure, per year (text, css class)
    partners: list[tuple[str, str, str]] = field(default_factory=list)  # text, href, note
    mentees: list[tuple[str, str]] = field(default_factory=list)  # text, href
    similar: list[tuple[str, str, str]] = field(default_factory=list)  # text, href, note
    outcomes: list[list[str]] = field(default_factory=list)  # entry year, horizon, shares, effect


@dataclass(frozen=True)
class SchoolRow:
    """What other pages show of a school: its row on the municipality page, its name in links."""

    school_id: str
    name: str
    municipality: str
    listed: str
    status: str
    cluster: str
    quintile: str


@functools.cache  # shares are ratios of small counts: a national year repeats a few thousand cells
def _result_cell(participants: int, share: Any, lower: Any, upper: Any, small: bool, low: bool):
    if not participants:
        return "нет участников", "none"
    text = f"{fmt_share(share)} [{fmt_interval(lower, upper)}], n = {participants}"
    return text, "low" if low else ("small" if small else "")


def _facts(
    row: tuple[Any, ...], school: SchoolRow, labels: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    """The school's facts, in the order of its page; those the municipality page shows too come
    from its `SchoolRow`, so both pages word them alike."""
    (_, _, _, _, reasons, rule_set, confidence, _, years_on, _, index, isbsh, _, social,
     *comparison) = row  # fmt: skip
    return [
        ("В списке ШНОР", school.listed),
        ("Причины", reasons or "—"),
        ("Уверенность отнесения", label_of(labels["list_confidence"], confidence)),
        ("Движение в списке", school.status),
        ("Лет в списке подряд", str(years_on if years_on is not None else "—")),
        ("Кластер", school.cluster),
        ("Индекс образовательных результатов (ИОР)", fmt_number(index, 3)),
        ("ИСБШ", fmt_number(isbsh, 3)),
        ("Квинтиль ИСБШ", school.quintile),
        ("Социальный статус", label_of(labels["social_status"], social)),
        ("Правило отбора", rule_set or "—"),
        *_comparison_facts(comparison, labels),
    ]


def _school_row(row: tuple[Any, ...], labels: dict[str, dict[str, str]]) -> SchoolRow:
    (school_id, name, municipality, listed, _, _, _, status, _, cluster, _, _, quintile,
     *_) = row  # fmt: skip
    return SchoolRow(
        school_id,
        name,
        municipality,
        YES if listed else NO,
        label_of(labels["list_status"], status),
        label_of(labels["cluster"], cluster),
        str(quintile or "—"),
    )


def _comparison_facts(
    comparison: list[Any], labels: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    """Decision support: the benchmark against similar schools and the VPR objectivity signals."""
    level, percentile, group_size, share, group_share, rated, *signals = comparison
    raised = [
        label_of(labels["objectivity_signal"], name)
        for name, on in zip(OBJECTIVITY_SIGNALS, signals, strict=True)
        if on
    ]
    return [
        ("Сравнение с похожими школами", label_of(labels["benchmark_level"], level)),
        ("Процентиль среди похожих школ", fmt_share(percentile)),
        ("Школ в группе сравнения", str(group_size if group_size is not None else "—")),
        (
            "Доля успешных результатов: школа / группа сравнения",
            f"{fmt_share(share)} / {fmt_share(group_share)}",
        ),
        ("Сигналы необъективности ВПР", "; ".join(raised) or (NO if rated else NO_DATA)),
    ]


LABEL_DOMAINS = (
    "list_confidence",
    "list_status",
    "cluster",
    "social_status",
    "benchmark_level",
    "objectivity_signal",
    "match_type",
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


def school_pages(
    con: duckdb.DuckDBPyConnection, year: int, municipality_page: dict[str, str]
) -> tuple[list[SchoolRow], Iterator[SchoolPage]]:
    """Every school of the year (in municipality, name order), and their pages one at a time
    (in school_id order): a national year's pages are built, written and dropped in turn."""
    labels = {domain: load_labels(con, domain) for domain in LABEL_DOMAINS}
    profiles = con.execute(_PROFILES, {"year": year}).fetchall()
    schools = {row[0]: _school_row(row, labels) for row in profiles}
    by_name = sorted(schools.values(), key=lambda s: (s.municipality, s.name, s.school_id))
    return by_name, _pages(con, year, municipality_page, profiles, schools, labels)


def _pages(
    con: duckdb.DuckDBPyConnection,
    year: int,
    municipality_page: dict[str, str],
    profiles: list[tuple[Any, ...]],
    schools: dict[str, SchoolRow],
    labels: dict[str, dict[str, str]],
) -> Iterator[SchoolPage]:
    years = [y for (y,) in con.execute(_RESULT_YEARS, {"year": year}).fetchall()]
    partners, mentees = _pairs(con, year, schools, labels)
    stages, outcomes = _support(con, year)
    decisions = decision_facts(con, year)  # the final list (docs/methodology.md, §3c)
    # Three cursors read side by side: each needs a connection of its own.
    results_of = _rows_of(_grouped(_batched(con.cursor().execute(_RESULTS, {"year": year}))))
    similar = con.cursor().execute(_SIMILAR, {"year": year, "shown": SIMILAR_SHOWN})
    similar_of = _rows_of(_grouped(_batched(similar)))
    for row in profiles:
        school_id, name, municipality = row[0], row[1], row[2]
        cells: dict[str, dict[int, tuple[str, str]]] = {}
        for _, procedure, y, n, share, lower, upper, small, low in results_of(school_id):
            cells.setdefault(procedure, {})[y] = _result_cell(n, share, lower, upper, small, low)
        yield SchoolPage(
            school_id,
            name,
            municipality,
            f"../municipalities/{municipality_page[municipality]}",
            _with_stage(_facts(row, schools[school_id], labels), stages.get(school_id, "—"))
            + decisions.get(school_id, []),
            years,
            [
                (procedure, [by_year.get(y, ("—", "none")) for y in years])
                for procedure, by_year in cells.items()
            ],
            partners.get(school_id, []),
            mentees.get(school_id, []),
            _similar(similar_of(school_id), schools),
            outcomes.get(school_id, []),
        )


def _with_stage(facts: list[tuple[str, str]], stage: str) -> list[tuple[str, str]]:
    """The support stage right after the years on the list."""
    at = next((i + 1 for i, (label, _) in enumerate(facts) if label == "Лет в списке подряд"), 0)
    return [*facts[:at], ("Этап поддержки", stage), *facts[at:]]


def _support(
    con: duckdb.DuckDBPyConnection, year: int
) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """Each school's support stage in words and the outcome rows of its entries onto the list."""
    words = load_labels(con, "support_stage")
    stages = {
        school_id: label_of(words, stage)
        for school_id, stage in con.execute(_STAGES, {"year": year}).fetchall()
    }
    outcomes: dict[str, list[list[str]]] = defaultdict(list)
    for school_id, entry, horizon, before, after, change, count, others, effect in con.execute(
        _OUTCOMES, {"year": year}
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
    return stages, outcomes


def _pairs(
    con: duckdb.DuckDBPyConnection,
    year: int,
    schools: dict[str, SchoolRow],
    labels: dict[str, dict[str, str]],
) -> tuple[dict[str, list[tuple[str, str, str]]], dict[str, list[tuple[str, str]]]]:
    """Each listed school's partners (or why it has none) and each partner's mentees."""
    partners: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    mentees: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for mentee, partner, match, distance, reason, assumed in con.execute(
        _PAIRS, {"year": year}
    ).fetchall():
        if partner is None:
            partners[mentee].append((reason or "—", "", ""))
            continue
        km = fmt_number(distance, 1) + " км" + (f" ({ASSUMED_MARK})" if assumed else "")
        note = f"{label_of(labels['match_type'], match)}, {km}"
        name = schools[partner].name
        partners[mentee].append((f"{name} ({partner})", page_name(partner), note))
        mentees[partner].append((f"{schools[mentee].name} ({mentee})", page_name(mentee)))
    return partners, mentees


def _similar(
    rows: list[tuple[Any, ...]], schools: dict[str, SchoolRow]
) -> list[tuple[str, str, str]]:
    """The school's nearest similar schools, linked to their pages (all of the same year)."""
    similar = []
    for _, similar_id, distance in rows:
        other = schools.get(similar_id)
        if other is None:
            continue
        note = f"{other.municipality}; расстояние по признакам ИСБШ {fmt_number(distance, 2)}"
        similar.append(
            (
                f"{other.name} ({similar_id})",
                page_name(similar_id),
                note + (", в списке ШНОР" if other.listed == YES else ""),
            )
        )
    return similar


def _batched(cursor: duckdb.DuckDBPyConnection, size: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """Rows a batch at a time: a national year has 2 M result rows, too many to hold as tuples."""
    while batch := cursor.fetchmany(size):
        yield from batch


def write_site(
    con: duckdb.DuckDBPyConnection,
    year: int,
    folder: Path,
    env: jinja2.Environment,
    report: ReportData,
) -> None:
    """Write every school's and municipality's page of the year into `folder`."""
    municipality_page = {
        m: href.removeprefix("municipalities/")
        for m, href in municipality_pages(_municipalities(con, year)).items()
    }
    schools, pages = school_pages(con, year, municipality_page)
    (folder / "schools").mkdir()
    (folder / "municipalities").mkdir()
    school = env.from_string(SCHOOL_TEMPLATE)
    for page in pages:
        html = school.render(page=page, year=year, generated=report.generated)
        (folder / "schools" / page_name(page.school_id)).write_text(html, encoding="utf-8")
    by_municipality: dict[str, list[SchoolRow]] = defaultdict(list)
    for row in schools:
        by_municipality[row.municipality].append(row)
    template = env.from_string(MUNICIPALITY_TEMPLATE)
    for municipality, file_name in municipality_page.items():
        html = template.render(
            name=municipality,
            schools=by_municipality[municipality],
            year=year,
            generated=report.generated,
        )
        (folder / "municipalities" / file_name).write_text(html, encoding="utf-8")


def _municipalities(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    rows = con.execute(
        "select distinct municipality from marts.mart_low_results where year = $year",
        {"year": year},
    ).fetchall()
    return [m for (m,) in rows]
