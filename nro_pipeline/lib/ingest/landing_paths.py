"""Where landing files live: `<landing>/<year>/<kind>.csv|xlsx`.

The rules: docs/methodology.md, «Входные файлы».
"""

from __future__ import annotations

import re
from pathlib import Path

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.landing_errors import LandingError

SUFFIXES = (".csv", ".xlsx")


def landing_candidates(landing_dir: Path, year: int, kind: FileKind) -> list[Path]:
    """The files of this kind present in the year's folder (none, one, or both forms)."""
    folder = landing_dir / str(year)
    return [p for p in (folder / f"{kind.name}{suffix}" for suffix in SUFFIXES) if p.exists()]


def find_landing_file(landing_dir: Path, year: int, kind: FileKind) -> Path:
    """The single file of this kind in the year's folder, as .csv or .xlsx."""
    folder = landing_dir / str(year)
    found = landing_candidates(landing_dir, year, kind)
    if not found:
        raise LandingError(
            f"{folder}: no file {kind.name}.csv or {kind.name}.xlsx ({kind.russian}) for {year}."
        )
    if len(found) > 1:
        raise LandingError(
            f"{folder}: both {found[0].name} and {found[1].name} arrived for {year}; "
            "keep one of them so it is clear which is current."
        )
    return found[0]


def landing_years(landing_dir: Path) -> list[int]:
    """Results years present in the landing zone (folders named by a four-digit year)."""
    if not landing_dir.is_dir():
        return []
    return sorted(
        int(p.name) for p in landing_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
    )
