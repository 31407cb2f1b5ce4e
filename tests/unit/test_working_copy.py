"""The warehouse lock names its holder; a working copy lands whole or not at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from nro_pipeline.lib.publish.working_copy import WarehouseLock, WorkingCopy, read_holder


def test_a_second_process_cannot_take_the_lock_and_learns_who_holds_it(tmp_path: Path) -> None:
    warehouse = tmp_path / "nro.duckdb"
    lock = WarehouseLock(warehouse, "run-abc", "annual_refresh")
    assert lock.try_acquire()
    probe = (
        "import sys; from pathlib import Path;"
        "from nro_pipeline.lib.publish.working_copy import WarehouseLock;"
        f"sys.exit(0 if WarehouseLock(Path({str(warehouse)!r}), 'x', 'y').try_acquire() else 3)"
    )
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 3
    holder = read_holder(warehouse)
    assert holder is not None and holder.run_id == "run-abc" and holder.job == "annual_refresh"
    lock.release()
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


def test_commit_swaps_the_copy_in_and_discard_leaves_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "nro.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS v")
    copy = WorkingCopy(warehouse)
    with duckdb.connect(str(copy.create())) as con:
        con.execute("INSERT INTO t VALUES (2)")
    copy.discard()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)
    with duckdb.connect(str(copy.create())) as con:
        con.execute("INSERT INTO t VALUES (2)")
    copy.commit()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT sum(v) FROM t").fetchone() == (3,)
    assert not copy.path.exists()
