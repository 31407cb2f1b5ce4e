"""The run's outputs written side by side: a national year's site (40,000 school pages) and its
workbook are tens of seconds of pure Python each, and every (output, year) is independent.

Each task goes to a worker process that opens the warehouse read-only (DuckDB lets many read-only
processes share a file that no process writes; the run's writer has finished before the outputs
start). Workers are spawned, not forked: the parent is a Dagster process with threads. One task,
or one worker, stays in this process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_in_workers(
    task: Callable[[Item], Result], items: Sequence[Item], workers: int
) -> list[Result]:
    """`task(item)` for every item, results in the order given, started in that order (put the
    longest first). `task` must be picklable (a module-level function or a `functools.partial` of
    one); an error in any item is raised here."""
    if workers <= 1 or len(items) <= 1:
        return [task(item) for item in items]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        return list(pool.map(task, items))
