"""Reports as Dagster assets: the yearly HTML page and the XLSX workbook, downstream of the marts.

Both read the warehouse read-only and write files outside it (`NRO_REPORTS_DIR`, default
`data/reports`; `NRO_EXPORTS_DIR`, default `data/exports`), so they never block dbt for long; they
still join the warehouse pool because DuckDB refuses a reader while another process writes. They
write into the run's staging folders (`WarehouseResource.output_folder`): the files reach their
folders only when the run's warehouse copy is swapped in, so a discarded run leaves no report.
Wire them with `from nro_pipeline.defs.reports import report_assets`.
"""

import functools

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.reports.html_report import (
    ReportError,
    preview_markdown,
    reports_dir,
    write_report_of_year,
)
from nro_pipeline.lib.reports.sheets import LIST_SHEET
from nro_pipeline.lib.reports.warehouse import ExportError
from nro_pipeline.lib.reports.xlsx_export import export_workbook_of_year
from nro_pipeline.lib.reports.year_workers import for_each_year
from nro_pipeline.settings import WAREHOUSE_POOL

REPORTS_GROUP = "reports"
HTML_REPORT_KEY = dg.AssetKey(["reports", "html_report"])
XLSX_EXPORT_KEY = dg.AssetKey(["reports", "xlsx_export"])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


# What the lists show besides the rule (SPEC §3a) and the labels of every coded value.
_DECISION_MARTS = ("mart_school_benchmark", "mart_vpr_objectivity", "dim_code_labels")
HTML_REPORT_MARTS = (
    "mart_low_results",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_isbsh",
    "mart_cohort_dynamics",
    "mart_indicators",
    *_DECISION_MARTS,
    "mart_similar_schools",
)
XLSX_EXPORT_MARTS = (
    "mart_low_results",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_risk_profiles",
    "mart_indicators",
    *_DECISION_MARTS,
)


def _years(context: dg.AssetExecutionContext) -> list[int]:
    return [int(key) for key in context.partition_keys]


def build_html_report_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=HTML_REPORT_KEY,
        kinds={"html"},
        description=(
            "Static HTML report and site of the year (data/reports/<year>/index.html): counts, "
            "the share of listed schools over the years, ISBSh × result index by cluster, the map, "
            "the list (with benchmark and VPR objectivity), the schools under question, the "
            "difference from the published list, the partner pairs, totals by municipality and "
            "cohort dynamics, with a page per school (similar schools linked) and per "
            "municipality; opens offline."
        ),
        deps=[mart_key(name) for name in HTML_REPORT_MARTS],
        partitions_def=results_year_partitions,
        # one run may cover many years (nro run, backfills): one report per year of the run
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=REPORTS_GROUP,
        pool=WAREHOUSE_POOL,
    )
    def html_report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        staging = warehouse.output_folder(reports_dir())
        write = functools.partial(
            write_report_of_year, warehouse.reading_path, staging, warehouse.path
        )
        try:
            written = for_each_year(write, _years(context), settings.report_workers())
        except ReportError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        pages, listed, matched = {}, {}, {}
        for key, (path, data) in zip(context.partition_keys, written, strict=True):
            final = reports_dir() / path.relative_to(staging)
            pages[key], listed[key], matched[key] = (
                str(final),
                data.schools_listed,
                data.pairs_matched,
            )
        metadata: dict[str, object] = {
            "pages": dg.MetadataValue.json(pages),
            "schools_on_list": dg.MetadataValue.json(listed),
            "pairs_matched": dg.MetadataValue.json(matched),
        }
        if len(pages) == 1:  # a single year: link the page and preview it in the UI
            metadata["path"] = dg.MetadataValue.path(pages[key])
            metadata["preview"] = dg.MetadataValue.md(preview_markdown(data))
        return dg.MaterializeResult(metadata=metadata)

    return html_report


def build_xlsx_export_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=XLSX_EXPORT_KEY,
        kinds={"excel"},
        description=(
            "XLSX workbook of the year for officials (data/exports/nro_<year>.xlsx), ready to print "
            "on A4: the list, schools under question, the difference from the published list, "
            "clusters, partners, risks, municipalities, indicators, method and sources — the same "
            "as `nro export --year Y`."
        ),
        deps=[mart_key(name) for name in XLSX_EXPORT_MARTS],
        partitions_def=results_year_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=REPORTS_GROUP,
        pool=WAREHOUSE_POOL,
    )
    def xlsx_export(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        exports = settings.exports_dir()
        export = functools.partial(
            export_workbook_of_year,
            warehouse.reading_path,
            warehouse.output_folder(exports),
            warehouse.path,
        )
        try:
            summaries = for_each_year(export, _years(context), settings.report_workers())
        except ExportError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        workbooks, listed = {}, {}
        for key, summary in zip(context.partition_keys, summaries, strict=True):
            workbooks[key] = str(exports / summary.path.name)
            listed[key] = summary.rows_per_sheet[LIST_SHEET.title]
        return dg.MaterializeResult(
            metadata={
                "workbooks": dg.MetadataValue.json(workbooks),
                "schools_on_list": dg.MetadataValue.json(listed),
            }
        )

    return xlsx_export


html_report_asset = build_html_report_asset()
xlsx_export_asset = build_xlsx_export_asset()
report_assets = [html_report_asset, xlsx_export_asset]
