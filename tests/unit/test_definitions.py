"""The Dagster definitions `dagster dev` loads: lineage from landing file to mart, gates, one writer."""

from __future__ import annotations

import dagster as dg

from nro_pipeline.definitions import load_definitions
from nro_pipeline.lib.contract.file_kinds import FILE_KINDS

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


def test_no_step_waits_for_a_pool() -> None:
    """The warehouse lock, taken once when a run starts, is the one writer mechanism: a step that
    also waited for a pool slot could wait on a run that waits on this run's lock."""
    graph = defs.resolve_asset_graph()
    assert all(not node.pools for node in graph.asset_nodes), [
        node.key for node in graph.asset_nodes if node.pools
    ]


def test_assets_are_partitioned_by_results_year() -> None:
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["marts", "mart_low_results"]))
    assert node.partitions_def.name == "results_year"  # dynamic: the landed year folders
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    for kind in FILE_KINDS:  # one run lands a backfill's years: no wave of runs per year
        assert graph.get(dg.AssetKey(["raw", kind])).backfill_policy == node.backfill_policy
        check = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", kind]), f"gx_{kind}"))
        assert check.partitions_def == node.partitions_def  # GX verdicts per year


def test_a_publication_and_its_public_edition_are_in_the_lineage_never_in_a_refresh() -> None:
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["marts", "published_lists"])
    assert dg.AssetKey(["marts", "mart_low_results"]) in graph.get(published).parent_keys
    public = dg.AssetKey(["reports", "public_edition"])
    # the public edition is written from schema public, after the publication
    assert published in graph.get(public).parent_keys
    assert dg.AssetKey(["public", "public_procedure_results"]) in graph.get(public).parent_keys
    assert defs.resolve_job_def("publish_list").asset_layer.selected_asset_keys == {
        published,
        public,
    }
    for job in ("annual_refresh", "build_models", "land_and_validate"):
        selected = defs.resolve_job_def(job).asset_layer.selected_asset_keys
        assert published not in selected and public not in selected, job


def test_a_models_row_rules_check_lists_its_rules() -> None:
    """A model's row rules are one dbt test; its check says in the UI which rules it holds."""
    graph = defs.resolve_asset_graph()
    key = dg.AssetCheckKey(
        dg.AssetKey(["marts", "mart_partner_matches"]), "rules_mart_partner_matches"
    )
    lines = graph.get_check_spec(key).description.splitlines()
    assert lines[0].startswith("Правила строк модели")
    assert "- not_null: school_id" in lines
    assert "- accepted_values: match_type, values: ['horizontal', 'vertical']" in lines
    assert "- not_null: reason, where: partner_id is null" in lines
    other = dg.AssetCheckKey(dg.AssetKey(["raw", "schools"]), "gx_schools")
    assert "Правила строк модели" not in (graph.get_check_spec(other).description or "")
