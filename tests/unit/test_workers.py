"""Outputs written side by side come back as they would one after the other, and fail alike."""

from __future__ import annotations

import functools
import os

import pytest

from nro_pipeline.lib.reports.workers import map_in_workers


def _square_with_pid(offset: int, year: int) -> tuple[int, int]:
    if year == 1999:
        raise ValueError(f"no marts for {year}")
    return year * year + offset, os.getpid()


def test_workers_return_every_item_in_order_from_other_processes() -> None:
    years = [2024, 2019, 2021]
    results = map_in_workers(functools.partial(_square_with_pid, 1), years, workers=2)
    assert [value for value, _ in results] == [2024 * 2024 + 1, 2019 * 2019 + 1, 2021 * 2021 + 1]
    assert all(pid != os.getpid() for _, pid in results)


def test_one_worker_or_one_item_stays_in_this_process() -> None:
    task = functools.partial(_square_with_pid, 0)
    assert map_in_workers(task, [2020, 2021], workers=1)[1] == (2021 * 2021, os.getpid())
    assert map_in_workers(task, [2020], workers=4) == [(2020 * 2020, os.getpid())]


def test_an_error_in_one_item_is_raised_with_its_message() -> None:
    with pytest.raises(ValueError, match="no marts for 1999"):
        map_in_workers(functools.partial(_square_with_pid, 0), [2020, 1999], workers=2)
