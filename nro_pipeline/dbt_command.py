"""`nro-dbt`: dbt's own command line, ending without Python's teardown of dbt's modules.

Every dbt invocation of the pipeline (dagster-dbt's `dbt build`, `dbt parse`, `nro docs`) runs
this instead of `dbt`: the same arguments, output and exit code, but once dbt has written its
artifacts the DuckDB file is closed (checkpointed) here and the process ends at once — dbt's own
exit collected some 240,000 objects and closed the file last, about a second of every run
(bench/README.md). `dbt` itself stays installed and works by hand as before."""

from __future__ import annotations

import sys

from nro_pipeline.lib.process_exit import exit_without_teardown


def _exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    return stop.code if isinstance(stop.code, int) else 1  # click exits with a message as 1


def main() -> None:
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"  # dbt's messages name the command as the user knows it
    try:
        cli()  # click's standalone mode: always ends in SystemExit
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop)
    # dbt-duckdb keeps its DuckDB connection until the process tears down: close it first.
    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if connections is not None:
        connections.DuckDBConnectionManager.close_all_connections()
    exit_without_teardown(code)


if __name__ == "__main__":
    main()
