"""The BI snapshot as a Dagster asset (the logic is nro_pipeline.lib.publish.snapshot)."""

from pathlib import Path

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.resources import PublishedSnapshotResource, WarehouseResource
from nro_pipeline.lib.publish.snapshot import publish_marts

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
            "successful build (schema marts only, with the Russian comments)."
        ),
    )
    def marts_snapshot(
        warehouse: WarehouseResource, published: PublishedSnapshotResource
    ) -> dg.MaterializeResult:
        rows = publish_marts(Path(warehouse.path), Path(published.path))
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(published.path),
                "tables": dg.MetadataValue.json(rows),
            }
        )

    return marts_snapshot
