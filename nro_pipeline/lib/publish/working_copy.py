"""One writer at a time, and a run either lands whole or not at all.

Every run that writes the warehouse — `nro run`, a launch or a backfill in the Dagster UI, the
schedule, the sensor — takes the warehouse lock, works on a copy (`nro.duckdb.build`) and, when it
ends well, swaps the copy in with one rename, then the BI snapshot it staged. A run killed at any
point therefore leaves the warehouse and the snapshot as they were (the leftover copy is discarded
by the next run), and a run that waited for the lock copies the warehouse only after the previous
run swapped its work in, so no run ever overwrites another one's year.

The lock is an OS lock (`flock`), released by the kernel when its process dies, so a crashed run
never blocks the next one. Its holder is written into the lock file to be named to whoever waits.

This lock is the only thing that keeps writers apart, and the only thing a run waits for, once,
before any of its steps starts: a run holding it never waits for anything else, so two runs can
never wait for each other. `nro run` refuses to start while another process holds it, and holds
it across all the Dagster runs it launches. (Dagster's run queue, one run at a time in the
instance settings, only spares a second UI run the wait in a worker process.)
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import duckdb


class WarehouseBusyError(RuntimeError):
    """The warehouse is being written by another run."""


@dataclass(frozen=True)
class Holder:
    """Who holds the warehouse: written into the lock file by the holder."""

    run_id: str
    job: str
    pid: int
    since: str

    def describe(self) -> str:
        who = self.job if self.run_id == self.job else f"run {self.run_id} ({self.job})"
        return f"{who}, process {self.pid}, since {self.since} UTC"


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.lock")


def copy_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.build")


def wal_of(database: Path) -> Path:
    return database.with_name(f"{database.name}.wal")


def read_holder(warehouse: Path) -> Holder | None:
    try:
        return Holder(**json.loads(lock_path(warehouse).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class WarehouseLock:
    """Exclusive lock on one warehouse file, across processes."""

    # The lock files this process holds, each by its outermost holder: `nro run` holds the lock
    # across all its Dagster runs, which execute in its process and take it again, as a no-op.
    _held: ClassVar[dict[Path, WarehouseLock]] = {}

    def __init__(self, warehouse: Path, run_id: str, job: str) -> None:
        self.warehouse = warehouse
        self.holder = Holder(run_id, job, os.getpid(), f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}")
        self._fd: int | None = None
        self._nested = False

    def try_acquire(self) -> bool:
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        key = lock_path(self.warehouse).resolve()
        if key in WarehouseLock._held:
            self._nested = True
            return True
        fd = os.open(lock_path(self.warehouse), os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(self.holder.__dict__).encode(), 0)
        WarehouseLock._held[key] = self
        return True

    def acquire(self, on_wait: Callable[[Holder | None], None], poll_seconds: float = 2.0) -> None:
        """Wait for the lock, telling `on_wait` once who holds it."""
        told = False
        while not self.try_acquire():
            if not told:
                on_wait(read_holder(self.warehouse))
                told = True
            time.sleep(poll_seconds)

    def release(self) -> None:
        if self._nested:
            self._nested = False
            return
        if self._fd is not None:
            WarehouseLock._held.pop(lock_path(self.warehouse).resolve(), None)
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextmanager
def warehouse_lock(warehouse: Path, job: str = "nro publish") -> Iterator[None]:
    """Hold the warehouse lock for a short write outside a run (`nro publish`), or refuse."""
    lock = WarehouseLock(warehouse, job, job)
    if not lock.try_acquire():
        holder = read_holder(warehouse)
        raise WarehouseBusyError(
            f"{warehouse} is being written by "
            + (holder.describe() if holder else "another run")
            + "; try again when it ends."
        )
    try:
        yield
    finally:
        lock.release()


class WorkingCopy:
    """The copy a run writes; `commit` swaps it in, `discard` throws it away."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.path = copy_path(warehouse)

    def create(self) -> Path:
        self.discard()  # what a killed run left behind
        if self.warehouse.exists():
            # The warehouse file is only ever replaced, never written in place, and we hold the
            # lock: no process has it open for writing, so this copy is consistent.
            shutil.copyfile(self.warehouse, self.path)
            if wal_of(self.warehouse).exists():
                shutil.copyfile(wal_of(self.warehouse), wal_of(self.path))
        return self.path

    def commit(self) -> None:
        """One rename: a reader sees the old or the new file, never a mix."""
        self.commit_from(self.path)

    def commit_from(self, built: Path) -> None:
        if wal_of(built).exists():  # fold it into the file, so one rename moves everything
            with duckdb.connect(str(built)) as con:
                con.execute("CHECKPOINT")
        os.replace(built, self.warehouse)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        wal_of(self.path).unlink(missing_ok=True)
