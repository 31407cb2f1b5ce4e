"""`nro run` writes to a copy of the warehouse and swaps it in only when the run's builds succeeded.

Killing the process at any point therefore leaves the warehouse (and the BI snapshot) as they were
before the run; the leftover copy is discarded by the next run. A lock file keeps two `nro run`
processes off the same warehouse.
"""

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType


class WarehouseBusyError(RuntimeError):
    pass


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.lock")


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """The lock `nro run` holds while it refreshes the warehouse, for other writers (`nro publish`):
    a write outside it would be lost when the run swaps its copy in."""
    handle = os.open(lock_path(warehouse), os.O_CREAT | os.O_RDWR)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusyError(
                f"{warehouse} is being refreshed by nro run; try again when it ends."
            ) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock


class WorkingCopy:
    def __init__(self, warehouse: Path, fresh: bool = False) -> None:
        self.warehouse = warehouse
        self.fresh = fresh  # start from an empty warehouse (nro run --rebuild)
        self.path = warehouse.with_name(f"{warehouse.name}.build")
        self._lock_path = lock_path(warehouse)
        self._lock: int | None = None

    def __enter__(self) -> "WorkingCopy":
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self._lock_path, os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise WarehouseBusyError(
                f"{self.warehouse} is being refreshed by another nro run; try again when it ends."
            ) from None
        self._remove_copy()  # what a killed run left behind
        if self.warehouse.exists() and self.fresh:
            # A rebuild re-creates what the archive can; the publications are kept (append-only).
            from nro_pipeline.lib.publish.published_lists import carry_over

            carry_over(self.warehouse, self.path)
        elif self.warehouse.exists():
            shutil.copyfile(self.warehouse, self.path)
            wal = self.warehouse.with_name(f"{self.warehouse.name}.wal")
            if wal.exists():
                shutil.copyfile(wal, self.path.with_name(f"{self.path.name}.wal"))
        return self

    def commit(self) -> None:
        """Swap the refreshed copy in: one rename, so a reader sees the old or the new file."""
        os.replace(self.path, self.warehouse)

    def _remove_copy(self) -> None:
        self.path.unlink(missing_ok=True)
        self.path.with_name(f"{self.path.name}.wal").unlink(missing_ok=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._remove_copy()  # no-op after commit()
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
