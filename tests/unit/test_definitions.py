"""The Dagster definitions `dagster dev` loads: lineage from landing file to mart, gates, pools."""

from __future__ import annotations

import dagster as dg

from nro_pipeline.definitions import load_definitions
from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.settings import WAREHOUSE_POOL

defs = load_definitions()


def test_lineage_runs_from_landing_file_to_mart() -> None:
    graph = defs.resolve_asset_graph()
    mart = dg.AssetKey(["marts", "mart_low_results"])
    upstream = graph.get(mart).parent_keys
    ancestors: set[dg.AssetKey] = set()
    frontier = set(upstream)
    while frontier:
        key = frontier.pop()
        ancestors.add(key)
        frontier |= set(graph.get(key).parent_keys) - ancestors
    for kind in ("schools", "vpr_results", "gia_results"):
        assert dg.AssetKey(["raw", kind]) in ancestors
        assert dg.AssetKey(["landing", kind]) in ancestors
    assert dg.AssetKey(["seeds", "procedures"]) in ancestors


def test_every_file_kind_has_a_blocking_gx_check() -> None:
    graph = defs.resolve_asset_graph()
    for kind in FILE_KINDS:
        key = dg.AssetCheckKey(dg.AssetKey(["raw", kind]), f"gx_{kind}")
        assert key in graph.asset_check_keys
        assert graph.get_check_spec(key).blocking


def test_everything_touching_duckdb_shares_one_pool() -> None:
    graph = defs.resolve_asset_graph()
    writers = [
        node
        for node in graph.asset_nodes
        if node.key.path[0] not in ("landing",) and node.is_materializable
    ]
    assert writers
    for node in writers:
        assert node.pools == {WAREHOUSE_POOL}, node.key


def test_assets_are_partitioned_by_results_year() -> None:
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["marts", "mart_low_results"]))
    assert node.partitions_def.name == "results_year"  # dynamic: the landed year folders
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    for kind in FILE_KINDS:  # one run lands a backfill's years: no wave of runs per year
        assert graph.get(dg.AssetKey(["raw", kind])).backfill_policy == node.backfill_policy
        check = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", kind]), f"gx_{kind}"))
        assert check.partitions_def == node.partitions_def  # GX verdicts per year
