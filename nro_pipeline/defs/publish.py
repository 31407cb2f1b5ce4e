"""The BI snapshot as a Dagster asset (the logic is nro_pipeline.lib.publish.snapshot)."""

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.resources import WarehouseResource

SNAPSHOT_KEY = dg.AssetKey(["published", "marts_snapshot"])


def build_snapshot_asset(
    mart_keys: list[dg.AssetKey], partitions_def: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    @dg.asset(
        key=SNAPSHOT_KEY,
        deps=mart_keys,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="published",
        pool=settings.WAREHOUSE_POOL,
        kinds={"duckdb"},
        description=(
            "The marts as a separate DuckDB file for BI tools, replaced atomically after every "
            "successful run, together with the warehouse (schema marts only, with the Russian comments)."
        ),
    )
    def marts_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
        rows = warehouse.stage_snapshot()
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(warehouse.published_path),
                "tables": dg.MetadataValue.json(rows),
            }
        )

    return marts_snapshot
