"""Dagster resources: the landing zone, the DuckDB warehouse and the BI snapshot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.landing_reader import find_landing_file
from nro_pipeline.lib.publish.staged_outputs import StagedOutputs, remove_leftovers
from nro_pipeline.lib.publish.working_copy import WarehouseLock, WorkingCopy


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse (`NRO_WAREHOUSE`) and its BI snapshot (`NRO_PUBLISHED`).

    In a run, the resource takes the warehouse lock when the run starts, before any step (the one
    writer mechanism: lib/publish/working_copy.py), the first write makes the run's working copy, and
    when the run ends the copy is swapped in — with the snapshot and the report files the run
    staged — unless a step failed in a way that may have left the copy half-written
    (lib/publish/working_copy.py, lib/publish/staged_outputs.py).
    Outside a run (tests, reports read by hand) it opens the warehouse file itself.
    """

    path: str = Field(
        default_factory=lambda: str(settings.warehouse_path()),
        description="Path of the DuckDB warehouse file.",
    )
    published_path: str = Field(
        default_factory=lambda: str(settings.published_path()),
        description="Read-only snapshot of the marts for BI tools.",
    )
    _lock: WarehouseLock | None = PrivateAttr(default=None)
    _copy: WorkingCopy | None = PrivateAttr(default=None)
    _staged_snapshot: Path | None = PrivateAttr(default=None)
    _outputs: StagedOutputs | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run_id = context.run_id or "outside-a-run"
        job = context.dagster_run.job_name if context.dagster_run else "?"
        self._lock = WarehouseLock(Path(self.path), run_id, job)
        self._lock.acquire(
            on_wait=lambda holder: context.log.info(
                f"Waiting for the warehouse {self.path}: it is written by "
                + (holder.describe() if holder else "another run")
                + ". This run starts when that one ends."
            )
        )
        for folder in (settings.reports_dir(), settings.exports_dir()):
            remove_leftovers(folder)
        self._outputs = StagedOutputs(run_id[:8])

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            problem = run_end_problem(context)
            if problem is None:
                self._commit(context)
            else:
                self._discard()
                if self._copy is not None:
                    context.log.warning(
                        "The warehouse, the BI snapshot and the reports stay as they were: "
                        + problem
                    )
        finally:
            if self._lock is not None:
                self._lock.release()

    def _commit(self, context: dg.InitResourceContext) -> None:
        if self._copy is not None:
            self._copy.commit()
            context.log.info(f"Warehouse {self.path} refreshed by this run.")
        if self._staged_snapshot is not None:
            os.replace(self._staged_snapshot, self.published_path)
        if self._outputs is not None:
            self._outputs.commit()

    def _discard(self) -> None:
        if self._copy is not None:
            self._copy.discard()
        self._discard_snapshot()
        if self._outputs is not None:
            self._outputs.discard()

    def _discard_snapshot(self) -> None:
        if self._staged_snapshot is not None:
            self._staged_snapshot.unlink(missing_ok=True)

    @property
    def working_path(self) -> Path:
        """The file this run writes: its working copy in a run, else the warehouse itself."""
        if self._lock is None:
            return Path(self.path)
        if self._copy is None:
            self._copy = WorkingCopy(Path(self.path))
            self._copy.create()
        return self._copy.path

    @property
    def reading_path(self) -> Path:
        """The file a reader of this run opens: its working copy once one exists (what the run
        built), else the warehouse."""
        return self._copy.path if self._copy is not None else Path(self.path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.reading_path if read_only else self.working_path
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(
            str(path),
            read_only=read_only,
            config=settings.duckdb_config(),
        )
        try:
            yield connection
        finally:
            connection.close()

    def output_folder(self, final: Path) -> Path:
        """Where a report asset writes what belongs in `final`: a staging folder that is moved
        into place when the run commits (outside a run: `final` itself)."""
        if self._outputs is None:
            final.mkdir(parents=True, exist_ok=True)
            return final
        return self._outputs.folder_for(final)

    def snapshot_staging(self) -> Path:
        """Where this run's BI snapshot is written: beside the published file, swapped in when the
        run commits (removed if it fails); outside a run, `publish_staged_snapshot` swaps it in."""
        published = Path(self.published_path)
        staged = published.with_name(f".{published.name}.{os.getpid()}.staged")
        if self._lock is not None:
            self._staged_snapshot = staged
        return staged

    def publish_staged_snapshot(self, staged: Path) -> None:
        """Outside a run there is no commit to wait for: the snapshot replaces the published file."""
        if self._lock is None:
            os.replace(staged, self.published_path)


def run_end_problem(context: dg.InitResourceContext) -> str | None:
    """Why this run's working copy must not be swapped in, or None when it may be.

    Allowed failures are the data failures of steps that write in one transaction or not at all:
    a landing file refused (dg.Failure marked DATA_FAILURE) or a blocking GX check that failed.
    Anything else — the dbt build, a crash, a termination from the UI — discards the copy."""
    run = context.dagster_run
    if run is None or context.instance is None:
        return None
    status = context.instance.get_run_by_id(run.run_id)
    if status is not None and status.status in (
        dg.DagsterRunStatus.CANCELING,
        dg.DagsterRunStatus.CANCELED,
    ):
        return "the run was terminated."
    allowed = failed_landing_check_steps(context.instance, run.run_id)
    for record in context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = record.dagster_event
        if event is None or is_data_failure(event) or event.step_key in allowed:
            continue
        return f"step {event.step_key} failed."
    return None


DATA_FAILURE = "nro/data_failure"


def is_data_failure(event: dg.DagsterEvent) -> bool:
    """A step refused a landing file (dg.Failure marked DATA_FAILURE, raised before it wrote)."""
    data = event.step_failure_data
    return (
        data is not None
        and data.user_failure_data is not None
        and DATA_FAILURE in (data.user_failure_data.metadata or {})
    )


def failed_landing_check_steps(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """Steps of this run whose blocking GX check on a landing file (`raw/<kind>`) failed: they
    wrote only that year's quarantine rows, and the check held the year's models back."""
    return {
        record.step_key
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if record.step_key is not None
        and record.dagster_event is not None
        and _is_failed_landing_check(record.dagster_event.asset_check_evaluation_data)
    }


def _is_failed_landing_check(evaluation: dg.AssetCheckEvaluation) -> bool:
    return (
        not evaluation.passed
        and evaluation.severity == dg.AssetCheckSeverity.ERROR
        and evaluation.asset_key.path[0] == RAW_SCHEMA
    )


# The schema landing files are loaded into (asset keys `raw/<kind>`).
RAW_SCHEMA = "raw"


class LandingZoneResource(dg.ConfigurableResource):
    """Folder with one sub-folder per results year holding the four extracts."""

    path: str = Field(
        default_factory=lambda: str(settings.landing_dir()),
        description="Root of the landing zone: <root>/<year>/<kind>.csv|xlsx.",
    )

    def file_for(self, year: int, kind: FileKind) -> Path:
        return find_landing_file(Path(self.path), year, kind)
