"""Build a costly fixture once per test session, however many pytest-xdist workers need it.

The pattern pytest-xdist documents ("Making session-scoped fixtures execute only once"): the
workers' temporary folders share a parent, the session's own; the first worker to take the file
lock builds into that parent and leaves what it returned in a JSON file, the others wait for the
lock and read it. Without xdist the session's temporary folder is used as it is.

Every build and every reuse is logged to `<shared root>/builds.log`, so a run can show how many
times a fixture was built.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from filelock import FileLock

BUILD_LOG = "builds.log"


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees: the parent of the workers' own folders."""
    basetemp = tmp_path_factory.getbasetemp()
    # Under xdist a worker's folder is <session>/popen-gwN; outside it the session's folder.
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def built_once(root: Path, name: str, build: Callable[[Path], dict]) -> tuple[Path, dict]:
    """`build(folder)` fills `<root>/<name>/` and returns what the other workers need
    (JSON-serialisable). Return the folder and that value, building only if no one did yet."""
    folder, result_file = root / name, root / f"{name}.json"
    asked = time.monotonic()
    with FileLock(str(root / f"{name}.lock")):
        if result_file.is_file():
            _log(root, f"{name}: reused (waited {time.monotonic() - asked:.0f} s)")
            return folder, json.loads(result_file.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)  # what a worker that crashed mid-build left
        folder.mkdir(parents=True)
        started = time.monotonic()
        result = build(folder)
        result_file.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        _log(root, f"{name}: built in {time.monotonic() - started:.0f} s")
        return folder, result


def _log(root: Path, line: str) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(root / BUILD_LOG, "a", encoding="utf-8") as log:
        log.write(f"{datetime.now(UTC):%H:%M:%S} {worker} {line}\n")
