"""`nro dev` started as a data engineer starts it, and driven over Dagster's GraphQL API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

LOCATION = "nro_pipeline"
REPOSITORY = "__repository__"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DagsterUI:
    def __init__(self, port: int, process: subprocess.Popen | None = None) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = process

    def press_ctrl_c(self, timeout: float = 30) -> tuple[float, list[int]]:
        """SIGINT to `nro dev`'s process group, as a terminal sends it; the seconds until every
        process it had started is gone, and those still running when `timeout` ran out."""
        assert self.process is not None
        family = _descendants(self.process.pid)
        pressed = time.monotonic()
        os.killpg(self.process.pid, signal.SIGINT)
        deadline = pressed + timeout
        while time.monotonic() < deadline:
            self.process.poll()
            alive = [pid for pid in family if _running(pid)]
            if not alive:
                return time.monotonic() - pressed, []
            time.sleep(0.1)
        return time.monotonic() - pressed, alive

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer
        return answer["data"]

    def wait_until_loaded(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.graphql(
                    "{ workspaceOrError { ... on Workspace { locationEntries { name "
                    "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
                )
                entries = data["workspaceOrError"]["locationEntries"]
                loaded = [e for e in entries if e["locationOrLoadError"]]
                if loaded:
                    error = loaded[0]["locationOrLoadError"]
                    assert error["__typename"] == "RepositoryLocation", error
                    return
            except OSError:
                pass
            time.sleep(2)
        raise TimeoutError("dagster dev did not load the code location")

    def launch_backfill(self, partitions: list[str], asset_keys: list[list[str]]) -> str:
        data = self.graphql(
            """mutation($params: LaunchBackfillParams!) {
                 launchPartitionBackfill(backfillParams: $params) {
                   __typename ... on LaunchBackfillSuccess { backfillId }
                   ... on PythonError { message } } }""",
            {
                "params": {
                    "partitionNames": partitions,
                    "assetSelection": [{"path": key} for key in asset_keys],
                }
            },
        )["launchPartitionBackfill"]
        assert data["__typename"] == "LaunchBackfillSuccess", data
        return data["backfillId"]

    def backfill_status(self, backfill_id: str) -> str:
        data = self.graphql(
            "query($id: String!) { partitionBackfillOrError(backfillId: $id) "
            "{ ... on PartitionBackfill { status } } }",
            {"id": backfill_id},
        )
        return data["partitionBackfillOrError"]["status"]

    def launch_run(self, job: str, partition: str) -> str:
        data = self.graphql(
            """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
                 __typename ... on LaunchRunSuccess { run { runId } }
                 ... on PythonError { message } ... on InvalidSubsetError { message } } }""",
            {
                "params": {
                    "selector": {
                        "repositoryLocationName": LOCATION,
                        "repositoryName": REPOSITORY,
                        "jobName": job,
                    },
                    "executionMetadata": {
                        "tags": [{"key": "dagster/partition", "value": partition}]
                    },
                }
            },
        )["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        return data["run"]["runId"]

    def runs(self, tag: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        run_filter = {"tags": [{"key": tag[0], "value": tag[1]}]} if tag else {}
        data = self.graphql(
            "query($filter: RunsFilter) { runsOrError(filter: $filter) { ... on Runs { results "
            "{ runId status jobName tags { key value } } } } }",
            {"filter": run_filter},
        )
        return data["runsOrError"]["results"]

    def wait_for_run(self, run_id: str, timeout: float = 600) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = next(r["status"] for r in self.runs() if r["runId"] == run_id)
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(2)
        raise TimeoutError(f"run {run_id} did not finish")


def _descendants(root: int) -> list[int]:
    """The process and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, frontier = [root], [root]
    while frontier:
        below = children.get(frontier.pop(), [])
        found.extend(below)
        frontier.extend(below)
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def dagster_dev(env: dict[str, str], log: Path) -> Iterator[DagsterUI]:
    """`nro dev` in its own process group, stopped (with its daemon) at the end."""
    port = free_port()
    nro = Path(sys.executable).with_name("nro")
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(nro), "dev", "-h", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            ui = DagsterUI(port, process)
            ui.wait_until_loaded()
            yield ui
        finally:
            if process.poll() is None:
                for pid in _descendants(process.pid)[::-1]:
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait(timeout=60)
