"""The session fixtures' build-once helper: concurrent workers build once and share the result."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from tests.support.built_once import BUILD_LOG, built_once


def _slow_build(folder: Path) -> dict:
    time.sleep(0.5)  # long enough for the other worker to ask while this one builds
    (folder / "built_by").write_text(multiprocessing.current_process().name, encoding="utf-8")
    with open(folder.parent / "builds", "a", encoding="utf-8") as builds:
        builds.write("x")
    return {"returncode": 0, "output": "ключ"}


def _worker(root: Path, results: multiprocessing.Queue) -> None:
    results.put(built_once(root, "region", _slow_build))


def test_two_workers_build_once_and_read_the_same_result(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(tmp_path, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert (tmp_path / "builds").read_text(encoding="utf-8") == "x"  # one build
    assert got == [(tmp_path / "region", {"returncode": 0, "output": "ключ"})] * 2
    first, second = (tmp_path / BUILD_LOG).read_text(encoding="utf-8").splitlines()
    assert "region: built in" in first and "region: reused" in second


def test_a_build_that_crashed_is_redone_from_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "region").mkdir()
    (tmp_path / "region" / "half_written").write_text("", encoding="utf-8")  # no result file

    folder, result = built_once(
        tmp_path, "region", lambda folder: {"files": len(list(folder.iterdir()))}
    )

    assert folder == tmp_path / "region" and result == {"files": 0}
