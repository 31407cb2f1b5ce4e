"""Every school's page, `<reports>/schools/<code>.html`: one page for all the years the warehouse
holds of the school (`school_history`), beside the year folders whose reports link to it.

A run rewrites only the pages whose content changed. `schools/.hashes.json` keeps the sha256 of
each school's page; a page whose hash is the one recorded in the folder officials see now is
hard-linked from there (same file, same mtime, no byte written), any other page is written. The
folder is built aside (`.schools.partial`) and swapped in whole, like a year's folder: in a run it
is built in the run's staging folder and replaces `schools/` of the final folder only when the run
commits (lib/publish/staged_outputs.py), so it must hold every page, the unchanged ones too.

The page says when its content last changed («страница обновлена»), not when the run was: that
date is left out of the hash, or every page would change every day.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup

from nro_pipeline.lib.publish.staged_outputs import replace_entry
from nro_pipeline.lib.reports.charts import HistoryChart
from nro_pipeline.lib.reports.report_tables import page_name
from nro_pipeline.lib.reports.school_history import school_histories
from nro_pipeline.lib.reports.site_template import CHART_GRID, SCHOOL_TEMPLATE, history_lines

SCHOOLS = "schools"
MANIFEST = ".hashes.json"
_UPDATED = "@@nro-page-updated@@"  # where the date goes once the page is hashed


@dataclass(frozen=True)
class SchoolPagesWritten:
    folder: Path  # <out_dir>/schools, or the partial folder while shards are written
    written: int  # pages new or changed
    unchanged: int  # pages linked from the current folder
    hashes: dict[str, str] = field(default_factory=dict)  # school_id → sha256 of its page


def read_manifest(folder: Path) -> dict[str, str]:
    """school_id → sha256 of its page (without its date), as recorded in `folder`."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def write_school_pages(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    env: jinja2.Environment,
    current: Path | None = None,
    today: date | None = None,
) -> SchoolPagesWritten:
    """Write `<out_dir>/schools/` for every school of the warehouse. `current`: the school pages
    officials see now, whose unchanged pages are linked (default: `<out_dir>/schools` itself)."""
    start_school_pages(out_dir)
    shard = write_school_shard(con, out_dir, env, current, today=today)
    return finish_school_pages(out_dir, [shard])


def start_school_pages(out_dir: Path) -> Path:
    """A fresh partial folder for the shards to write into."""
    partial = out_dir / f".{SCHOOLS}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def write_school_shard(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    env: jinja2.Environment,
    current: Path | None = None,
    shard: int = 0,
    shards: int = 1,
    today: date | None = None,
) -> SchoolPagesWritten:
    """The pages of the schools of one shard (`school_histories`) into the partial folder."""
    current = current if current is not None else out_dir / SCHOOLS
    partial = out_dir / f".{SCHOOLS}.partial"
    updated = (today or date.today()).strftime("%d.%m.%Y").encode()
    placeholder = _UPDATED.encode()
    recorded = read_manifest(current)
    chart = {"chart_grid": _chart_grids(env), "history_lines": history_lines}
    template = env.from_string(SCHOOL_TEMPLATE, globals=chart)
    hashes: dict[str, str] = {}
    written = 0
    for page in school_histories(con, shard, shards):
        html = template.render(page=page, updated=_UPDATED).encode()  # hashed and written as is
        digest = hashlib.sha256(html).hexdigest()
        hashes[page.school_id] = digest
        name = page_name(page.school_id)
        if recorded.get(page.school_id) == digest and _link(current / name, partial / name):
            continue
        (partial / name).write_bytes(html.replace(placeholder, updated, 1))
        written += 1
    return SchoolPagesWritten(partial, written, len(hashes) - written, hashes)


def finish_school_pages(out_dir: Path, shards: list[SchoolPagesWritten]) -> SchoolPagesWritten:
    """The manifest of every shard's pages, then the folder swapped in whole."""
    hashes = {school: digest for shard in shards for school, digest in shard.hashes.items()}
    partial = out_dir / f".{SCHOOLS}.partial"
    manifest = json.dumps(hashes, ensure_ascii=False, sort_keys=True, indent=0)
    (partial / MANIFEST).write_text(manifest, encoding="utf-8")
    written = sum(shard.written for shard in shards)
    target = replace_entry(partial, out_dir / SCHOOLS)
    return SchoolPagesWritten(target, written, len(hashes) - written)


def _chart_grids(env: jinja2.Environment) -> Callable[[HistoryChart], Markup]:
    """The success chart's grid and axes (`CHART_GRID`), rendered once per plot area and ticks:
    a national site's 40,000 charts have a handful of scales and a few sets of years."""
    template = env.from_string(CHART_GRID)
    drawn: dict[tuple[object, ...], Markup] = {}

    def chart_grid(c: HistoryChart) -> Markup:
        key = (c.width, c.height, c.left, c.right, c.top, c.bottom, *c.y_ticks, None, *c.x_ticks)
        if (grid := drawn.get(key)) is None:
            grid = drawn[key] = Markup(template.render(c=c))
        return grid

    return chart_grid


def _link(source: Path, link: Path) -> bool:
    """Hard-link an unchanged page; False (write it instead) when the file is gone or the folders
    are on different file systems."""
    try:
        os.link(source, link)
    except OSError:
        return False
    return True
