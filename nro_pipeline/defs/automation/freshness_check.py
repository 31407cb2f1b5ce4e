"""The freshness check: is any landed year without marts, or are its marts older than its files?"""

from pathlib import Path

import dagster as dg

from nro_pipeline.defs.resources import LandingZoneResource, WarehouseResource
from nro_pipeline.lib.publish.freshness import stale_years, year_builds


@dg.asset_check(
    asset=dg.AssetKey(["marts", "mart_indicators"]),
    name="marts_not_older_than_landing",
    description=(
        "Warns when a landed year has no marts, or a landing file changed after the year's "
        "marts were built."
    ),
)
def marts_not_older_than_landing(
    landing: LandingZoneResource, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    builds = {}
    if Path(warehouse.path).exists():
        with warehouse.connect(read_only=True) as con:
            builds = year_builds(con)
    stale = stale_years(Path(landing.path), builds)
    years = [s.year for s in stale]
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "Every landed year has marts built after its files."
            if not stale
            else f"Refresh years {', '.join(map(str, years))}: "
            + "; ".join(f"{s.year}: {s.why}" for s in stale)
        ),
        metadata={"stale_years": ", ".join(map(str, years)) or "none"},
    )
