"""A Ctrl-C during `nro run` reads as stopped (exit 130), never as a failed build, even when
Dagster swallows the signal: dbt, in the same process group, stops on it and its step then fails
like a broken model would."""

from __future__ import annotations

import os
import signal

import dagster as dg
from dagster._utils.interrupts import capture_interrupts

from nro_pipeline.commands.interrupts import stop_signals_seen
from nro_pipeline.commands.launch import RunReport, execute


def _swallowed_sigint() -> None:
    """What Dagster does to a SIGINT between two of its checkpoints: note it, then forget it."""
    with capture_interrupts():
        os.kill(os.getpid(), signal.SIGINT)


@dg.op
def dbt_stopped_by_ctrl_c() -> None:
    _swallowed_sigint()
    raise dg.Failure(description="dbt build failed: see the dbt log of this run")


@dg.op
def dbt_failed() -> None:
    raise dg.Failure(description="dbt build failed: see the dbt log of this run")


@dg.op
def finished_despite_ctrl_c() -> None:
    _swallowed_sigint()


def _report(op: dg.OpDefinition) -> RunReport:
    job = dg.GraphDefinition(name=op.name, node_defs=[op]).to_job()
    return execute(job, dg.DagsterInstance.ephemeral(), verbose=False)


def test_a_swallowed_ctrl_c_is_still_seen() -> None:
    with stop_signals_seen() as stopped:
        assert not stopped()
        _swallowed_sigint()
        assert stopped()
    with stop_signals_seen() as stopped:  # a new run starts with a clean slate
        assert not stopped()


def test_a_build_stopped_by_ctrl_c_reads_as_interrupted_not_failed() -> None:
    assert _report(dbt_stopped_by_ctrl_c).interrupted


def test_a_failed_build_without_ctrl_c_is_a_failure() -> None:
    report = _report(dbt_failed)
    assert not report.interrupted
    assert report.problems == ["dbt build failed: see the dbt log of this run"]


def test_a_run_that_finished_is_not_called_stopped() -> None:
    """Its work was kept: saying it was discarded would be false."""
    report = _report(finished_despite_ctrl_c)
    assert not report.interrupted and not report.problems
