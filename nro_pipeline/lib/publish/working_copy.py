"""`nro run` writes to a copy of the warehouse and swaps it in only when the run's builds succeeded.

Killing the process at any point therefore leaves the warehouse (and the BI snapshot) as they were
before the run; the leftover copy is discarded by the next run. A lock file keeps two `nro run`
processes off the same warehouse.
"""

import fcntl
import os
import shutil
from pathlib import Path
from types import TracebackType


class WarehouseBusyError(RuntimeError):
    pass


class WorkingCopy:
    def __init__(self, warehouse: Path, fresh: bool = False) -> None:
        self.warehouse = warehouse
        self.fresh = fresh  # start from an empty warehouse (nro run --rebuild)
        self.path = warehouse.with_name(f"{warehouse.name}.build")
        self._lock_path = warehouse.with_name(f"{warehouse.name}.lock")
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
        if self.warehouse.exists() and not self.fresh:
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
