"""The freshness check: are any year's marts older than its landing files?"""

from pathlib import Path

import dagster as dg

from nro_pipeline.defs.resources import LandingZoneResource, WarehouseResource
from nro_pipeline.lib.ingest.freshness import StaleFile, stale_files
from nro_pipeline.settings import WAREHOUSE_POOL


@dg.asset_check(
    asset=dg.AssetKey(["marts", "mart_indicators"]),
    name="marts_not_older_than_landing",
    pool=WAREHOUSE_POOL,
    description="Warns when a landing file is newer than what the year's marts were built from.",
)
def marts_not_older_than_landing(
    landing: LandingZoneResource, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    if not Path(warehouse.path).exists():
        stale: list[StaleFile] = []
    else:
        with warehouse.connect(read_only=True) as con:
            stale = stale_files(Path(landing.path), con)
    years = sorted({s.year for s in stale})
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "Marts are up to date with the landing zone."
            if not stale
            else f"Refresh years {', '.join(map(str, years))}: "
            + "; ".join(f"{s.path.name} ({s.year}) {s.why}" for s in stale)
        ),
        metadata={"stale_years": ", ".join(map(str, years)) or "none"},
    )
