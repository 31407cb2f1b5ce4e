"""Whether Ctrl-C (SIGINT) or SIGTERM reached this process while a run executed in it.

Dagster swaps its own SIGINT handlers in and out during a run and may swallow a signal that lands
between two of its checkpoints (it then only sets a flag, which it clears on the way out); dbt's
process, in the same process group, stops on the same Ctrl-C and the step then reads as a dbt
failure. The wakeup file descriptor of `signal` sees every signal that has a Python handler,
whichever handler is installed at the time, so it tells an interrupted run from a failed one."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator

_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def stop_signals_seen() -> Iterator[Callable[[], bool]]:
    """Yield a function telling whether SIGINT or SIGTERM arrived since entering.

    Outside the main thread no signal reaches Python code: the function then says False."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    seen: set[int] = set()

    def stopped() -> bool:
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(read_end, 512):
                seen.update(chunk)
        return bool(seen & _STOPPING)

    try:
        yield stopped
    finally:
        signal.set_wakeup_fd(previous)
        os.close(read_end)
        os.close(write_end)
