"""Chart geometry of the HTML report: inline SVG drawn from numbers, no JavaScript, no tiles.

The bar chart of the list's share over the years, the ISBSh × result-index scatter and, on a
school's page, the line of its success share over the years beside its comparison group's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nro_pipeline.lib.reports.formatting import fmt_number, fmt_share

# Cluster order and colours (colour-blind-safe enough: hue and lightness both differ).
CLUSTER_COLOURS = {
    "resilient": "#2e7d32",
    "stable": "#7b8fa1",
    "at_risk": "#f39c12",
    "crisis": "#c0392b",
}


@dataclass(frozen=True)
class Tick:
    position: float  # pixel coordinate along the axis
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # value written above the bar
    category: str  # year written under the bar
    title: str  # tooltip
    current: bool  # the report's year stands out


@dataclass(frozen=True)
class PlotArea:
    """A chart's size and the box its data is drawn in: what the shared grid and axis markup reads
    (`chart_macros.py`)."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float


@dataclass(frozen=True)
class BarChart(PlotArea):
    bars: list[Bar]
    y_ticks: list[Tick]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    colour: str
    cluster: str
    listed: bool
    title: str


@dataclass(frozen=True)
class Scatter(PlotArea):
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    level_lines: list[Tick]  # result-level boundaries (dbt vars result_level_low / _high)


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1.0
    step = nice_step(high - low, count)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def share_chart(rows: Sequence[tuple[int, int, int]], year: int) -> BarChart:
    """Bars of schools_on_list / schools_total per year (rows: year, on list, total)."""
    width, height, left, right, top, bottom = 480, 300, 48.0, 472.0, 28.0, 266.0
    shares = [(y, on / total if total else 0.0, on, total) for y, on, total in rows]
    ticks = nice_ticks(0.0, max([s for _, s, _, _ in shares] + [0.01]) * 1.15, 4)
    top_value = ticks[-1]
    band = (right - left) / max(len(shares), 1)
    bar_width = min(band * 0.6, 56.0)  # a lone first year must not become a wall
    bars = []
    for i, (bar_year, share, on, total) in enumerate(shares):
        bar_height = (bottom - top) * share / top_value
        bars.append(
            Bar(
                x=round(left + band * i + (band - bar_width) / 2, 1),
                y=round(bottom - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label=fmt_share(share),
                category=str(bar_year),
                title=f"{bar_year}: {on} из {total} школ ({fmt_share(share)})",
                current=bar_year == year,
            )
        )
    y_ticks = [
        Tick(round(bottom - (bottom - top) * t / top_value, 1), fmt_share(t, 0)) for t in ticks
    ]
    return BarChart(width, height, left, right, top, bottom, bars, y_ticks)


def scatter_chart(
    rows: Sequence[tuple[str, str, float, float, str, bool]],
    low: float,
    high: float,
    cluster_labels: Mapping[str, str],
) -> Scatter:
    """ISBSh (x) against the result index (y); rows: id, name, isbsh, result_index, cluster, listed.

    `low` and `high` are the result-level boundaries the clusters were built with (the year's
    recorded result_level_low / _high); `cluster_labels` the clusters' Russian words."""
    width, height, left, right, top, bottom = 680, 440, 56.0, 668.0, 16.0, 392.0
    xs = [row[2] for row in rows] or [0.0]
    x_ticks = nice_ticks(min(xs), max(xs), 6)
    x_low, x_high = x_ticks[0], x_ticks[-1]

    def px(value: float) -> float:
        return round(left + (right - left) * (value - x_low) / (x_high - x_low), 1)

    def py(value: float) -> float:
        return round(bottom - (bottom - top) * value, 1)

    points = [
        Point(
            x=px(isbsh),
            y=py(index),
            colour=CLUSTER_COLOURS.get(cluster, "#555555"),
            cluster=cluster,
            listed=listed,
            title=(
                f"{name} ({school_id}): ИСБШ {fmt_number(isbsh, 3)}, ИОР {fmt_number(index)}, "
                f"{cluster_labels.get(cluster, cluster)}" + (", в списке ШНОР" if listed else "")
            ),
        )
        for school_id, name, isbsh, index, cluster, listed in rows
    ]
    # Listed schools are drawn last, so their outline is never hidden under other points.
    points.sort(key=lambda p: p.listed)
    return Scatter(
        width,
        height,
        left,
        right,
        top,
        bottom,
        points,
        x_ticks=[Tick(px(t), fmt_number(t, 2 if abs(t) < 1 else 1)) for t in x_ticks],
        y_ticks=[Tick(py(t / 4), fmt_number(t / 4)) for t in range(5)],
        level_lines=[
            Tick(py(low), f"низкий уровень < {fmt_number(low)}"),
            Tick(py(high), f"высокий ≥ {fmt_number(high)}"),
        ],
    )


@dataclass(frozen=True)
class HistoryPoint:
    x: float
    y: float
    label: str  # the share written beside the point
    title: str  # tooltip
    label_y: float  # above the point, or below it where the group's line runs above


@dataclass(frozen=True)
class HistoryLine:
    name: str  # css class: school or group
    points: list[HistoryPoint]
    segments: list[str]  # polyline points of each run of consecutive years with a value


@dataclass(frozen=True)
class HistoryChart(PlotArea):
    lines: list[HistoryLine]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


_HISTORY = (560, 230, 52.0, 536.0, 24.0, 200.0)  # width, height, left, right, top, bottom


@functools.cache  # a national site draws 40,000 of these charts on a handful of scales
def _share_axis(low: float) -> tuple[float, float, tuple[Tick, ...]]:
    """The vertical scale from a round share at or below `low` up to 100 %: its ends and ticks."""
    step = 0.1 if low >= 0.5 else 0.2
    first = max(0, math.floor(round(low / step, 6)))
    shares = [round(k * step, 6) for k in range(first, round(1 / step) + 1)]
    _, _, _, _, top, bottom = _HISTORY
    y_low, y_high = shares[0], shares[-1]
    ticks = tuple(
        Tick(round(bottom - (bottom - top) * (t - y_low) / (y_high - y_low), 1), fmt_share(t, 0))
        for t in shares
    )
    return y_low, y_high, ticks


def history_chart(rows: Sequence[tuple[int, float | None, float | None]]) -> HistoryChart:
    """A school's success share (and its comparison group's) over the years; rows: year, school's
    share, group's share, oldest first. A year without a share leaves a gap in its line."""
    width, height, left, right, top, bottom = _HISTORY
    values = [v for _, *shares in rows for v in shares if v is not None]
    # From a round share below the lowest value up to 100 %: differences of a few points show,
    # and no school's line is drawn out of proportion to the whole scale.
    y_low, y_high, y_ticks = _share_axis(
        min(0.9, math.floor(round((min(values, default=0.5) - 0.05) * 10, 6)) / 10)
    )
    band = (right - left) / max(len(rows), 1)
    xs = [round(left + band * (i + 0.5), 1) for i in range(len(rows))]
    lines = []
    for column, name, whose in ((1, "school", "школа"), (2, "group", "группа сравнения")):
        points, segments, run = [], [], []
        for x, row in zip(xs, rows, strict=True):
            value = row[column]
            if value is None:
                segments += [" ".join(run)] if len(run) > 1 else []
                run = []
                continue
            other = row[3 - column]
            y = round(bottom - (bottom - top) * (value - y_low) / (y_high - y_low), 1)
            text = fmt_share(value)
            below = other is not None and other > value  # keep the label off the other line
            points.append(
                HistoryPoint(x, y, text, f"{row[0]}, {whose}: {text}", y + 17 if below else y - 9)
            )
            run.append(f"{x},{y}")
        segments += [" ".join(run)] if len(run) > 1 else []
        lines.append(HistoryLine(name, points, segments))
    return HistoryChart(
        width,
        height,
        left,
        right,
        top,
        bottom,
        lines,
        x_ticks=[Tick(x, str(row[0])) for x, row in zip(xs, rows, strict=True)],
        y_ticks=list(y_ticks),
    )
