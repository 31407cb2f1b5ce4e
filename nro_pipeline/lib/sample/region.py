"""`generate_region`: a deterministic synthetic landing zone for demos, tests and load.

What a landing zone holds: docs/methodology.md, «Входные файлы».

Writes `OUT/<year>/{schools,vpr_results,gia_results,social_passport}.(csv|xlsx)` for each year and
returns what was planted, so a test can check that the marts find it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.sample.gia import gia_rows
from nro_pipeline.lib.sample.landing_writer import LandingFormat, write_landing_file
from nro_pipeline.lib.sample.passport import passport_rows
from nro_pipeline.lib.sample.population import Population, build_population
from nro_pipeline.lib.sample.registry import registry_rows
from nro_pipeline.lib.sample.vpr import vpr_rows

STYLES = ("mixed", "canonical")
KIND_ORDER = ("schools", "vpr_results", "gia_results", "social_passport")

# "mixed": each file kind comes from its own source system, and the systems' exports change from
# year to year; each year every kind moves one step along this rotation, so any two consecutive
# years between them use all five formats.
MIXED_ROTATION = (
    LandingFormat.CSV_UTF8,
    LandingFormat.CSV_CP1251_RU,
    LandingFormat.XLSX,
    LandingFormat.CSV_UTF8_BOM_SEMICOLON,
    LandingFormat.TSV_UTF8_RU,
)
# Above this many schools a year's GIA could pass Excel's 1 048 576-row sheet limit (~100 rows a
# school), so the GIA file stays CSV whatever the rotation says.
XLSX_GIA_MAX_SCHOOLS = 5_000
MIN_SCHOOLS = 10  # fewer leaves no room for every planted case
# `nro sample --scale`: schools of a typical region, a large one, and Russia (~40,000 schools,
# 3–4 million OGE/EGE participant rows a year).
SCALES = {"region": 600, "large-region": 5_000, "national": 40_000}


@dataclass(frozen=True)
class Merger:
    school_id: str
    successor_id: str
    year: int  # the registry of this year sets successor_id; the school is gone from later years


@dataclass(frozen=True)
class WrittenFile:
    year: int
    kind: str
    path: Path
    format: LandingFormat
    rows: int


@dataclass
class RegionSummary:
    """What `generate_region` wrote and planted."""

    out_dir: Path
    seed: int
    years: tuple[int, ...]
    schools: int
    style: str
    always_low: tuple[str, ...]  # ≥ 2 low procedures every year
    recovering: tuple[str, ...]  # low in the first half of the years, fine in the second
    resilient: tuple[str, ...]  # poorest social third, results among the best
    small_rural: tuple[str, ...]  # a few pupils per grade: procedures with < 5 participants
    merger: Merger | None
    files: list[WrittenFile] = field(default_factory=list)

    def __str__(self) -> str:
        merger = (
            f"{self.merger.school_id} → {self.merger.successor_id} in {self.merger.year}"
            if self.merger
            else "none"
        )
        rows = sum(f.rows for f in self.files)
        return (
            f"{self.schools} schools, {self.years[0]}–{self.years[-1]}, style {self.style}: "
            f"{len(self.files)} files, {rows} rows; planted: {len(self.always_low)} always low, "
            f"{len(self.recovering)} recovering, {len(self.resilient)} resilient, "
            f"{len(self.small_rural)} small rural; merger {merger}"
        )

    @property
    def row_counts(self) -> dict[int, dict[str, int]]:
        """Rows written per year and file kind."""
        counts: dict[int, dict[str, int]] = {}
        for written in self.files:
            counts.setdefault(written.year, {})[written.kind] = written.rows
        return counts


def generate_region(
    out_dir: Path,
    schools: int = 600,
    years: Sequence[int] = range(2019, 2025),
    seed: int = 42,
    style: str = "mixed",
) -> RegionSummary:
    """Write a synthetic region's landing zone under `out_dir` and return what was planted.

    `style`: "mixed" (formats vary by file and year as real extracts do), "canonical" (every file
    `csv_utf8`, convenient for appending planted rows), or one LandingFormat value for every file.
    The same arguments always give byte-identical files.
    """
    if schools < MIN_SCHOOLS:
        raise ValueError(f"schools must be at least {MIN_SCHOOLS}, got {schools}")
    year_list = tuple(sorted({int(y) for y in years}))
    if not year_list:
        raise ValueError("years is empty")
    _format_for(style, "schools", year_list[0], schools)  # reject an unknown style before writing

    out_dir = Path(out_dir)
    population = build_population(schools, year_list, seed)
    summary = _summary(population, out_dir, seed, style)
    for year in year_list:
        # One random stream per (year, file kind): a file's content does not depend on the format
        # or on which other files were written.
        producers: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {
            "schools": lambda y=year: registry_rows(population, y),
            "vpr_results": lambda y=year: vpr_rows(population, y, _rng(seed, y, 1)),
            "gia_results": lambda y=year: gia_rows(population, y, _rng(seed, y, 2), seed),
            "social_passport": lambda y=year: passport_rows(population, y, _rng(seed, y, 3)),
        }
        for kind in KIND_ORDER:
            fmt = _format_for(style, kind, year, schools)
            stem = out_dir / str(year) / kind
            _remove_other_formats(stem, fmt)
            counted = _Counted(producers[kind]())
            path = write_landing_file(stem, FILE_KINDS[kind], counted, fmt)
            summary.files.append(WrittenFile(year, kind, path, fmt, counted.count))
    return summary


def _rng(seed: int, year: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, year, stream])


def _format_for(style: str, kind: str, year: int, schools: int) -> LandingFormat:
    if style == "canonical":
        return LandingFormat.CSV_UTF8
    if style != "mixed":
        try:
            return LandingFormat(style)
        except ValueError:
            known = ", ".join([*STYLES, *(f.value for f in LandingFormat)])
            raise ValueError(f"unknown style {style!r}; expected one of {known}") from None
    fmt = MIXED_ROTATION[(KIND_ORDER.index(kind) - year) % len(MIXED_ROTATION)]
    if fmt is LandingFormat.XLSX and kind == "gia_results" and schools > XLSX_GIA_MAX_SCHOOLS:
        return LandingFormat.CSV_CP1251_RU
    return fmt


def _remove_other_formats(stem: Path, fmt: LandingFormat) -> None:
    """A landing folder holds one file per kind: drop a previous run's file of another suffix."""
    for suffix in {f.suffix for f in LandingFormat} - {fmt.suffix}:
        stem.with_name(stem.name + suffix).unlink(missing_ok=True)


def _summary(population: Population, out_dir: Path, seed: int, style: str) -> RegionSummary:
    ids = population.ids
    planted = population.archetypes
    merger = population.merger

    def named(indices: Iterable[int]) -> tuple[str, ...]:
        return tuple(ids[int(i)] for i in indices)

    return RegionSummary(
        out_dir=out_dir,
        seed=seed,
        years=population.years,
        schools=population.size,
        style=style,
        always_low=named(planted.always_low),
        recovering=named(planted.recovering),
        resilient=named(planted.resilient),
        small_rural=named(planted.small_rural),
        merger=None
        if merger is None
        else Merger(ids[merger.old], ids[merger.successor], merger.year),
    )


class _Counted:
    """Pass rows through while counting them (the writer streams; nothing is materialised)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for row in self._rows:
            self.count += 1
            yield row
