"""The run's years written side by side: a national year's site (40,000 school pages) and
workbook are tens of seconds of pure Python each, and the years are independent.

Each year goes to a worker process that opens the warehouse read-only (DuckDB lets many
read-only processes share a file that no process writes; the run's writer has finished before
the reports start). Workers are spawned, not forked: the parent is a Dagster process with threads.
One year, or one worker, stays in this process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def for_each_year(task: Callable[[int], T], years: Sequence[int], workers: int) -> list[T]:
    """`task(year)` for every year, in the order given. `task` must be picklable (a module-level
    function or a `functools.partial` of one); an error in any year is raised here."""
    if workers <= 1 or len(years) <= 1:
        return [task(year) for year in years]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(years)), mp_context=context) as pool:
        return list(pool.map(task, years))
