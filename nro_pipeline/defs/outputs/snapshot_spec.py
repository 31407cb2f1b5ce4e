"""The BI snapshot's asset spec (the logic is nro_pipeline.lib.publish.snapshot; the step that
writes it, beside the reports, is `defs.outputs`)."""

import dagster as dg

SNAPSHOT_KEY = dg.AssetKey(["published", "marts_snapshot"])


def snapshot_spec(mart_keys: list[dg.AssetKey]) -> dg.AssetSpec:
    return dg.AssetSpec(
        SNAPSHOT_KEY,
        deps=mart_keys,
        group_name="published",
        kinds={"duckdb"},
        description=(
            "The marts as a separate DuckDB file for BI tools, replaced atomically after every "
            "successful run, together with the warehouse (schema marts only, with the Russian comments)."
        ),
    )
