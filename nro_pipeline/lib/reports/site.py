"""The year's municipality pages beside its report: `<year>/municipalities/<n>.html`, each
municipality's schools that year (list status, movement, cluster, ISBSh quintile), linked to the
schools' own pages.

A school has one page for all its years, `schools/<code>.html` beside the year folders, written
once per run for the whole warehouse (`school_site`). Coded values are shown in the words of
`marts.dim_code_labels`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2

from nro_pipeline.lib.reports.formatting import NO, YES
from nro_pipeline.lib.reports.labels import label_of, load_labels
from nro_pipeline.lib.reports.report_data import municipality_pages
from nro_pipeline.lib.reports.site_template import MUNICIPALITY_TEMPLATE

_SCHOOLS = """
    select s.school_id, s.school_name, s.municipality, s.on_initial_list, s.list_status,
           c.cluster, c.isbsh_quintile
    from marts.mart_low_results s
    left join marts.mart_school_clusters c on c.school_id = s.school_id and c.year = s.year
    where s.year = $year
"""


@dataclass(frozen=True)
class SchoolRow:
    """A school's row on its municipality's page."""

    school_id: str
    name: str
    municipality: str
    listed: str
    status: str
    cluster: str
    quintile: str


def school_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[SchoolRow]:
    """Every school of the year, in municipality, name order."""
    status, cluster = load_labels(con, "list_status"), load_labels(con, "cluster")
    rows = [
        SchoolRow(
            school_id,
            name,
            municipality,
            YES if listed else NO,
            label_of(status, list_status),
            label_of(cluster, cluster_code),
            str(quintile or "—"),
        )
        for school_id, name, municipality, listed, list_status, cluster_code, quintile in (
            con.execute(_SCHOOLS, {"year": year}).fetchall()
        )
    ]
    return sorted(rows, key=lambda s: (s.municipality, s.name, s.school_id))


def write_site(
    con: duckdb.DuckDBPyConnection,
    year: int,
    folder: Path,
    env: jinja2.Environment,
    generated: str,
) -> int:
    """Write every municipality's page of the year into `folder`; returns how many."""
    schools = school_rows(con, year)
    by_municipality: dict[str, list[SchoolRow]] = defaultdict(list)
    for row in schools:
        by_municipality[row.municipality].append(row)
    (folder / "municipalities").mkdir()
    template = env.from_string(MUNICIPALITY_TEMPLATE)
    pages = municipality_pages(list(by_municipality))
    for municipality, href in pages.items():
        html = template.render(
            name=municipality, schools=by_municipality[municipality], year=year, generated=generated
        )
        (folder / href).write_text(html, encoding="utf-8")
    return len(pages)
