"""`reports/public_edition`: the year's public edition — a site and a workbook with the disclosure
rules applied — written when the year is published (job `publish_list`, after
`marts/published_lists`). The logic is lib/reports/public_edition.py; the rules are dbt's
(schema public)."""

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.outputs.published_lists import PUBLISHED_LISTS_KEY
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.reports.public_edition import write_public_edition
from nro_pipeline.lib.reports.warehouse import ExportError

PUBLIC_EDITION_KEY = dg.AssetKey(["reports", "public_edition"])
# The views it reads (dbt models of schema public).
PUBLIC_VIEWS = (
    "procedure_results",
    "low_results",
    "school_benchmark",
    "programme_effect",
    "schools",
)


@dg.asset(
    key=PUBLIC_EDITION_KEY,
    deps=[PUBLISHED_LISTS_KEY, *(dg.AssetKey(["public", f"public_{v}"]) for v in PUBLIC_VIEWS)],
    partitions_def=results_year_partitions,
    group_name="published",
    kinds={"html", "xlsx"},
    description=(
        "The year's public edition (site and workbook) from schema public: figures of groups "
        "under suppress_below participants shown as «с», complementary suppression, coded "
        "extreme shares, the disclaimer on every page (docs/methodology.md, «Публичная версия»)."
    ),
)
def public_edition(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    year = int(context.partition_key)
    folder = warehouse.output_folder(settings.public_dir())
    try:
        with warehouse.connect(read_only=True) as con:
            edition = write_public_edition(con, year, folder)
    except ExportError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    final = settings.public_dir()
    return dg.MaterializeResult(
        metadata={
            "site": dg.MetadataValue.path(str(final / str(year) / edition.site.name)),
            "workbook": dg.MetadataValue.path(str(final / edition.workbook.name)),
            "school_pages": edition.school_pages,
            "schools_listed": edition.schools_listed,
        }
    )
