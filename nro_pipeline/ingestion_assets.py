"""Landing layer: each extract of a results year lands in `raw.<kind>`, then GX checks it.

Lineage reads `landing/<kind>` (the file, an external asset) → `raw/<kind>` (this module) →
dbt sources `raw.<kind>` → staging → marts. Every check is blocking: a file that breaks a rule stops
that year's dbt models, so the previous marts stay as they were.
"""

import dagster as dg

from nro_pipeline.file_kinds import FILE_KINDS, SCHOOLS, FileKind
from nro_pipeline.landing_reader import LandingError
from nro_pipeline.landing_zone import LandingZoneResource
from nro_pipeline.partitions import results_year_partitions
from nro_pipeline.raw_loader import load_file
from nro_pipeline.settings import WAREHOUSE_POOL
from nro_pipeline.validation import validate_landed_year
from nro_pipeline.warehouse import WarehouseResource

LANDING_GROUP = "landing"
RAW_GROUP = "raw"


def landing_key(kind: FileKind) -> dg.AssetKey:
    return dg.AssetKey(["landing", kind.name])


def raw_key(kind: FileKind) -> dg.AssetKey:
    return dg.AssetKey(["raw", kind.name])


landing_files = [
    dg.AssetSpec(
        key=landing_key(kind),
        group_name=LANDING_GROUP,
        description=f"Landing file <year>/{kind.name}.csv|xlsx — {kind.russian} (SPEC §2).",
        partitions_def=results_year_partitions,
        kinds={"file"},
    )
    for kind in FILE_KINDS.values()
]


def _year(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> int:
    op_context = (
        context.op_execution_context
        if isinstance(context, dg.AssetCheckExecutionContext)
        else context
    )
    return int(op_context.partition_key)


def build_raw_asset(kind: FileKind) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(kind),
        deps=[landing_key(kind)],
        partitions_def=results_year_partitions,
        group_name=RAW_GROUP,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb"},
        description=(
            f"raw.{kind.name}: the year's {kind.russian} as delivered (canonical names and codes, "
            "text values) with lineage columns; a re-run replaces that year only, atomically."
        ),
    )
    def raw_asset(
        context: dg.AssetExecutionContext,
        landing: LandingZoneResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        year = _year(context)
        try:
            path = landing.file_for(year, kind)
            with warehouse.connect() as con:
                report = load_file(con, year, kind, path)
        except LandingError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        if report.rows == 0:
            context.log.warning(
                f"{path}: header only, no rows — {year} simply had no {kind.russian} data."
            )
        return dg.MaterializeResult(
            metadata={
                "source_file": dg.MetadataValue.path(str(path)),
                "content_hash": report.profile.content_hash,
                "rows": dg.MetadataValue.int(report.rows),
                "read_as": report.profile.describe(),
                "header": ", ".join(report.profile.header),
                "extra_columns": ", ".join(report.profile.extra_columns) or "none",
                "missing_columns": ", ".join(report.missing_columns) or "none",
            }
        )

    raw_asset.__name__ = f"raw_{kind.name}"
    return raw_asset


def build_gx_check(kind: FileKind) -> dg.AssetChecksDefinition:
    # Results are checked against the year's registry, so the registry lands first.
    registry_dep = [raw_key(SCHOOLS)] if kind is not SCHOOLS else []

    @dg.asset_check(
        asset=raw_key(kind),
        name=f"gx_{kind.name}",
        blocking=True,
        additional_deps=registry_dep,
        pool=WAREHOUSE_POOL,
        description=f"GX suite expectations/{kind.name}.json on the year's landed rows.",
    )
    def gx_check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        year = _year(context)
        with warehouse.connect(read_only=True) as con:
            outcome = validate_landed_year(con, year, kind)
        if not outcome.success:
            context.log.error(outcome.message())
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.message(),
            metadata={
                "year": year,
                "source_file": outcome.source_file,
                "rows": outcome.rows,
                "expectations_run": outcome.expectations_run,
                "rules_broken": len(outcome.failures),
            },
        )

    return gx_check


raw_assets = [build_raw_asset(kind) for kind in FILE_KINDS.values()]
gx_checks = [build_gx_check(kind) for kind in FILE_KINDS.values()]
