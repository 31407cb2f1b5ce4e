"""A year's HTML report and its offline site, built from the marts.

`<reports>/<year>/index.html` holds the counts, the share of listed schools over the years, the
ISBSh × result-index scatter coloured by cluster (result-level lines at the year's recorded
parameters), the map of the schools, the list (with its benchmark against similar schools and VPR
objectivity signals), the schools under question and why, the difference from the published list,
the partner pairs, the totals by municipality, the indicators and the cohort dynamics. It links
the year's page per municipality (`<year>/municipalities/`, `site`) and each school's one page
for all its years (`<reports>/schools/<code>.html`, written once per run by `school_site`).
Everything is static HTML with inline CSS and SVG (no JavaScript, no CDN), so the folder opens
from a USB stick.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import jinja2

from nro_pipeline.lib.publish.staged_outputs import replace_entry
from nro_pipeline.lib.reports.formatting import is_numeric_text
from nro_pipeline.lib.reports.report_data import ReportData, ReportError, load_report, page_name
from nro_pipeline.lib.reports.report_template import REPORT_TEMPLATE
from nro_pipeline.lib.reports.site import write_site

__all__ = ["ReportData", "ReportError", "render", "write_report"]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.tests["numeric_text"] = is_numeric_text
    env.filters["page_name"] = page_name
    return env


def render(data: ReportData) -> str:
    return environment().from_string(REPORT_TEMPLATE).render(report=data)


def preview_markdown(data: ReportData, limit: int = 10) -> str:
    """The first rows of the list as a Markdown table (Dagster metadata preview)."""
    table = data.school_list
    keep = [table.headers.index(h) for h in ("Код ОО", "Наименование ОО", "Муниципалитет")]
    lines = [
        "| " + " | ".join(table.headers[i] for i in keep) + " |",
        "|" + "---|" * len(keep),
    ]
    for row in table.rows[:limit]:
        lines.append("| " + " | ".join(row[i].replace("|", "\\|") for i in keep) + " |")
    if len(table.rows) > limit:
        lines.append(f"\n… всего школ в списке: {len(table.rows)}")
    return "\n".join(lines)


def write_report(
    con: duckdb.DuckDBPyConnection, year: int, out_dir: Path, warehouse: Path | str
) -> tuple[Path, ReportData]:
    """Render the year's report and municipality pages into `<out_dir>/<year>/` (built aside,
    then swapped in); the school pages they link are `school_site`'s."""
    data = load_report(con, year, warehouse)
    partial = out_dir / f".{year}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / "index.html").write_text(render(data), encoding="utf-8")
    write_site(con, year, partial, environment(), data.generated)
    return replace_entry(partial, out_dir / str(year)) / "index.html", data
