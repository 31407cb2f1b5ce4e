"""Hand memory a step no longer needs back to the system before a big neighbour starts."""

from __future__ import annotations

import contextlib
import ctypes
import gc

import pyarrow as pa


def release_unused_memory() -> None:
    """Give back what landing and validation (Arrow batches, GX frames) freed.

    Python and Arrow keep freed memory for reuse; this process then sits beside the dbt process
    for the rest of the run, and the two together must stay under 4 GiB at national size."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # glibc only; elsewhere nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
