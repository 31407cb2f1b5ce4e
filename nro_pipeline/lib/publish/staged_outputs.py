"""Report files of a run, put in place only when the run's warehouse copy is swapped in.

A run writes its HTML site and workbooks into a hidden staging folder beside their final folder
(`.staged-<run>`); when the run commits, every entry staged there replaces the entry of the same
name in the final folder, and when the run is discarded the staging folder is deleted. So the
reports officials open always describe the warehouse as it is, never a run that was thrown away.

An entry must therefore be complete when staged: the school pages' folder (`schools/`, every
school of the warehouse) holds the pages a run left unchanged as hard links to the final folder's
files (lib/reports/school_site.py), so the swap replaces the folder without losing them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STAGING_PREFIX = ".staged-"


class StagedOutputs:
    """The staging folders of one run, keyed by the final folder they will be moved into."""

    def __init__(self, run_tag: str) -> None:
        self._tag = run_tag
        self._staged: dict[Path, Path] = {}

    def folder_for(self, final: Path) -> Path:
        """A fresh staging folder whose entries will replace those of `final` on commit."""
        if final not in self._staged:
            staged = final / f"{STAGING_PREFIX}{self._tag}"
            shutil.rmtree(staged, ignore_errors=True)
            staged.mkdir(parents=True)
            self._staged[final] = staged
        return self._staged[final]

    def commit(self) -> list[Path]:
        """Move every staged entry into its final folder; returns the paths put in place."""
        placed = []
        for final, staged in self._staged.items():
            for entry in sorted(staged.iterdir()):
                placed.append(replace_entry(entry, final / entry.name))
            staged.rmdir()
        self._staged.clear()
        return placed

    def discard(self) -> None:
        for staged in self._staged.values():
            shutil.rmtree(staged, ignore_errors=True)
        self._staged.clear()


def replace_entry(entry: Path, target: Path) -> Path:
    """One rename puts a file in place; a folder is swapped with two, the old one then removed
    (the reports build their folders aside and swap them in with it too)."""
    if entry.is_dir():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        entry.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(entry, target)
    return target


def remove_leftovers(final: Path) -> None:
    """Staging folders of runs that died before they committed or discarded (called under the
    warehouse lock, so no live run owns any of them)."""
    if final.is_dir():
        for staged in final.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(staged, ignore_errors=True)
