"""The map of a year's schools as inline SVG: a mark per school with coordinates, lines for the
partner pairs. No tiles and nothing fetched: the page opens offline on an official's laptop.

Projection: equirectangular with the longitude scaled by cos(mean latitude), which keeps a
region's shape true enough for a sketch map; north is up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from nro_pipeline.lib.reports.charts import CLUSTER_COLOURS

MAP_WIDTH = 900.0
MAP_MAX_HEIGHT = 700.0
MAP_MARGIN = 16.0


@dataclass(frozen=True)
class MapMark:
    school_id: str
    x: float
    y: float
    colour: str
    listed: bool
    title: str
    href: str


@dataclass(frozen=True)
class MapLine:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str


@dataclass(frozen=True)
class SchoolMap:
    width: float
    height: float
    marks: list[MapMark]
    lines: list[MapLine]
    without_coordinates: int


def project(points: Sequence[tuple[float, float]]) -> tuple[float, float, object]:
    """A function from (latitude, longitude) to SVG (x, y) fitting every point, and the size."""
    lats = [lat for lat, _ in points] or [0.0]
    lons = [lon for _, lon in points] or [0.0]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    inner = MAP_WIDTH - 2 * MAP_MARGIN
    unit = min(inner / span_x, (MAP_MAX_HEIGHT - 2 * MAP_MARGIN) / span_y)
    height = span_y * unit + 2 * MAP_MARGIN
    west, north = min(lons), max(lats)

    def to_svg(lat: float, lon: float) -> tuple[float, float]:
        x = MAP_MARGIN + (lon - west) * scale_x * unit + (inner - span_x * unit) / 2
        return round(x, 1), round(MAP_MARGIN + (north - lat) * unit, 1)

    return MAP_WIDTH, round(height, 1), to_svg


_SCHOOLS = """
    select g.school_id, s.school_name, g.latitude, g.longitude, c.cluster, s.on_initial_list
    from staging.stg_schools g
    join marts.mart_low_results s on s.school_id = g.school_id and s.year = g.year
    left join marts.mart_school_clusters c on c.school_id = g.school_id and c.year = g.year
    where g.year = $year
    order by s.on_initial_list, g.school_id
"""
_PAIRS = """
    select p.school_id, p.partner_id from marts.mart_partner_matches p
    where p.year = $year and p.partner_id is not null order by 1, 2
"""


def load_map(con: duckdb.DuckDBPyConnection, year: int, href_of: dict[str, str]) -> SchoolMap:
    """The year's schools; `href_of` gives each school's page, relative to the page drawing it."""
    rows = con.execute(_SCHOOLS, {"year": year}).fetchall()
    placed = [r for r in rows if r[2] is not None and r[3] is not None]
    width, height, to_svg = project([(r[2], r[3]) for r in placed])
    where: dict[str, tuple[float, float]] = {}
    marks = []
    for school_id, name, lat, lon, cluster, listed in placed:  # listed ones last: drawn on top
        x, y = to_svg(lat, lon)  # type: ignore[operator]
        where[school_id] = (x, y)
        marks.append(
            MapMark(
                school_id,
                x,
                y,
                CLUSTER_COLOURS.get(cluster or "", "#555555"),
                bool(listed),
                f"{name} ({school_id})" + (", в списке ШНОР" if listed else ""),
                href_of.get(school_id, ""),
            )
        )
    lines = [
        MapLine(*where[mentee], *where[partner], f"{mentee} → партнёр {partner}")
        for mentee, partner in con.execute(_PAIRS, {"year": year}).fetchall()
        if mentee in where and partner in where
    ]
    return SchoolMap(width, height, marks, lines, len(rows) - len(placed))
