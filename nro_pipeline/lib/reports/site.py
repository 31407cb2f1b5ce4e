"""The year's offline site beside the report: a page per school and per municipality.

`schools/<code>.html`: the school's list status (§3a: rule set, confidence, movement, years on the
list), cluster, ISBSh quintile, partner (or the schools it mentors) and its years of results per
procedure with their Wilson intervals. `municipalities/<n>.html`: the municipality's schools.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from nro_pipeline.lib.reports.formatting import YES, fmt_interval, fmt_number, fmt_share
from nro_pipeline.lib.reports.labels import (
    CLUSTER_RU,
    LIST_CONFIDENCE_RU,
    LIST_STATUS_RU,
    MATCH_TYPE_RU,
    SOCIAL_STATUS_RU,
)
from nro_pipeline.lib.reports.report_data import (
    ASSUMED_MARK,
    ReportData,
    municipality_pages,
    page_name,
)
from nro_pipeline.lib.reports.site_template import MUNICIPALITY_TEMPLATE, SCHOOL_TEMPLATE

_PROFILES = """
    select s.school_id, s.school_name, s.municipality, s.on_initial_list, s.reasons, s.rule_set,
           s.list_confidence, s.list_status, s.years_on_list, c.cluster, c.result_index,
           c.isbsh, c.isbsh_quintile, c.social_status
    from marts.mart_low_results s
    left join marts.mart_school_clusters c on c.school_id = s.school_id and c.year = s.year
    where s.year = $year order by s.municipality, s.school_name, s.school_id
"""
_RESULTS = """
    select f.school_id, f.procedure_name, f.year, f.participants, f.low_share,
           f.low_share_ci_lower, f.low_share_ci_upper, f.small_n, f.is_low
    from marts.fct_procedure_results f
    where f.year <= $year and f.in_selection
      and f.school_id in (select school_id from marts.mart_low_results where year = $year)
    order by f.school_id, f.procedure_id, f.year
"""
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


def _result_cell(participants: int, share: Any, lower: Any, upper: Any, small: bool, low: bool):
    if not participants:
        return "нет участников", "none"
    text = f"{fmt_share(share)} [{fmt_interval(lower, upper)}], n = {participants}"
    return text, "low" if low else ("small" if small else "")


def _facts(row: tuple[Any, ...]) -> list[tuple[str, str]]:
    (_, _, _, listed, reasons, rule_set, confidence, status, years_on, cluster, index, isbsh,
     quintile, social) = row  # fmt: skip
    return [
        ("В списке ШНОР", YES if listed else "нет"),
        ("Причины", reasons or "—"),
        ("Уверенность отнесения", LIST_CONFIDENCE_RU.get(confidence, "—")),
        ("Движение в списке", LIST_STATUS_RU.get(status, status or "—")),
        ("Лет в списке подряд", str(years_on if years_on is not None else "—")),
        ("Кластер", CLUSTER_RU.get(cluster, cluster or "—")),
        ("Индекс образовательных результатов (ИОР)", fmt_number(index, 3)),
        ("ИСБШ", fmt_number(isbsh, 3)),
        ("Квинтиль ИСБШ", str(quintile or "—")),
        ("Социальный статус", SOCIAL_STATUS_RU.get(social, social or "—")),
        ("Правило отбора", rule_set or "—"),
    ]


def school_pages(
    con: duckdb.DuckDBPyConnection, year: int, municipality_page: dict[str, str]
) -> list[SchoolPage]:
    profiles = con.execute(_PROFILES, {"year": year}).fetchall()
    names = {row[0]: row[1] for row in profiles}
    results: dict[str, dict[str, dict[int, tuple[str, str]]]] = defaultdict(dict)
    years: set[int] = set()
    for school_id, procedure, y, n, share, lower, upper, small, low in con.execute(
        _RESULTS, {"year": year}
    ).fetchall():
        years.add(y)
        results[school_id].setdefault(procedure, {})[y] = _result_cell(
            n, share, lower, upper, small, low
        )
    pages = {
        row[0]: SchoolPage(
            row[0],
            row[1],
            row[2],
            f"../municipalities/{municipality_page[row[2]]}",
            _facts(row),
            sorted(years),
            [],
        )
        for row in profiles
    }
    for school_id, page in pages.items():
        page.results = [
            (procedure, [by_year.get(y, ("—", "none")) for y in page.years])
            for procedure, by_year in results[school_id].items()
        ]
    for mentee, partner, match, distance, reason, assumed in con.execute(
        _PAIRS, {"year": year}
    ).fetchall():
        if partner is None:
            pages[mentee].partners.append((reason or "—", "", ""))
            continue
        km = fmt_number(distance, 1) + " км" + (f" ({ASSUMED_MARK})" if assumed else "")
        note = f"{MATCH_TYPE_RU.get(match, match)}, {km}"
        pages[mentee].partners.append((f"{names[partner]} ({partner})", page_name(partner), note))
        pages[partner].mentees.append((f"{names[mentee]} ({mentee})", page_name(mentee)))
    return list(pages.values())


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
    pages = school_pages(con, year, municipality_page)
    (folder / "schools").mkdir()
    (folder / "municipalities").mkdir()
    school = env.from_string(SCHOOL_TEMPLATE)
    for page in pages:
        html = school.render(page=page, year=year, generated=report.generated)
        (folder / "schools" / page_name(page.school_id)).write_text(html, encoding="utf-8")
    by_municipality: dict[str, list[SchoolPage]] = defaultdict(list)
    for page in pages:
        by_municipality[page.municipality].append(page)
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
