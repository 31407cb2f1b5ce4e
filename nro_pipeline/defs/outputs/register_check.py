"""The check that says what a region's register asks without effect (docs/methodology.md,
«Решения региона»): a warning, never a refusal — the decisions that can be applied are.

It runs after `mart_support_list` is built (the preliminary list is known only then) and names
the register's file and row for each decision that changes nothing: confirm or exclude of a school
not on the preliminary list, include of a school already on it (read as confirm), a partner given
for a school outside the final list (ignored).
"""

import dagster as dg
import duckdb

from nro_pipeline.defs.outputs.report_specs import mart_key
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.methods.support_decisions import register_warnings

REGISTER_COLUMNS = "school_id, year, decision, partner_id, source_file, source_row_number"


@dg.asset_check(
    asset=mart_key("mart_support_list"),
    name="register_decisions_take_effect",
    partitions_def=results_year_partitions,
    description=(
        "Warns, naming file and row, about each decision of the region's register that has no "
        "effect on the final list (docs/methodology.md, «Решения региона»)."
    ),
)
def register_decisions_take_effect(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    years = sorted(int(key) for key in context.op_execution_context.partition_keys)
    marks = ", ".join("?" for _ in years)
    with warehouse.connect(read_only=True) as con:
        try:
            register = con.execute(
                f"SELECT {REGISTER_COLUMNS} FROM staging.stg_support_register "
                f"WHERE year IN ({marks})",
                years,
            ).df()
            support = con.execute(
                f"SELECT * FROM marts.mart_support_list WHERE year IN ({marks})", years
            ).df()
        except duckdb.CatalogException:  # nothing built yet
            return dg.AssetCheckResult(passed=True, description="no register or list yet")
    warnings = register_warnings(register, support)
    for warning in warnings:
        context.log.warning(warning)
    return dg.AssetCheckResult(
        passed=not warnings,
        severity=dg.AssetCheckSeverity.WARN,
        description="\n".join(warnings) or "every decision of the register takes effect",
        metadata={"decisions": len(register), "without_effect": len(warnings)},
    )
