"""Ending a command's process without Python's teardown of its modules.

A process that has imported Dagster, GX, pandas or dbt spends the best part of a second (`nro`:
two) after its last useful step tearing its modules down and collecting their garbage, work
nobody needs once every file is closed. The atexit handlers (logging's flush, temporary folders,
multiprocessing's own) still run; then the process ends with the code given."""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn


def exit_without_teardown(code: int) -> NoReturn:
    """What a normal exit runs first, then `os._exit(code)`. Call it only with every file that
    must outlive the process closed (a DuckDB file closed is checkpointed: no `.wal` is left)."""
    atexit._run_exitfuncs()  # private, stable since Python 3.0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
