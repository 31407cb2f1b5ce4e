"""Reports as Dagster assets: the yearly HTML page and the XLSX workbook, downstream of the marts.

Two assets of one step (`officials_outputs`, subsettable): every (output, year) of the run is
written side by side in worker processes (`lib/reports/officials_outputs`), so even a single
year's site and workbook are written at once. Both read the warehouse read-only and write files outside it (`NRO_REPORTS_DIR`, default
`data/reports`; `NRO_EXPORTS_DIR`, default `data/exports`), so they never block dbt for long; they
still join the warehouse pool because DuckDB refuses a reader while another process writes. They
write into the run's staging folders (`WarehouseResource.output_folder`): the files reach their
folders only when the run's warehouse copy is swapped in, so a discarded run leaves no report.
Wire them with `from nro_pipeline.defs.reports import report_assets`.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.reports.html_report import reports_dir
from nro_pipeline.lib.reports.officials_outputs import (
    SITE,
    WORKBOOK,
    OutputPlaces,
    Written,
    write_outputs,
)
from nro_pipeline.lib.reports.warehouse import ExportError
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


HTML_REPORT_SPEC = dg.AssetSpec(
    HTML_REPORT_KEY,
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
    group_name=REPORTS_GROUP,
)
XLSX_EXPORT_SPEC = dg.AssetSpec(
    XLSX_EXPORT_KEY,
    kinds={"excel"},
    description=(
        "XLSX workbook of the year for officials (data/exports/nro_<year>.xlsx), ready to print "
        "on A4: the list, schools under question, the difference from the published list, "
        "clusters, partners, risks, municipalities, indicators, method and sources — the same "
        "as `nro export --year Y`."
    ),
    deps=[mart_key(name) for name in XLSX_EXPORT_MARTS],
    group_name=REPORTS_GROUP,
)


def build_report_assets() -> dg.AssetsDefinition:
    @dg.multi_asset(
        name="officials_outputs",
        specs=[HTML_REPORT_SPEC, XLSX_EXPORT_SPEC],
        can_subset=True,
        partitions_def=results_year_partitions,
        # one run may cover many years (nro run, backfills): one site and workbook per year
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
    )
    def officials_outputs(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        selected = context.selected_asset_keys
        kinds = [kind for kind, key in _KEYS.items() if key in selected]
        places = OutputPlaces(
            read_from=warehouse.reading_path,
            warehouse=str(warehouse.path),
            reports=warehouse.output_folder(reports_dir()),
            exports=warehouse.output_folder(settings.exports_dir()),
        )
        years = [int(key) for key in context.partition_keys]
        try:
            written = write_outputs(places, kinds, years, settings.report_workers())
        except ExportError as error:  # ReportError too: no marts for a year, no warehouse
            raise dg.Failure(description=str(error), allow_retries=False) from None
        if SITE in kinds:
            yield _site_result([w for w in written if w.kind == SITE], places.reports)
        if WORKBOOK in kinds:
            yield _workbook_result([w for w in written if w.kind == WORKBOOK])

    return officials_outputs


_KEYS = {SITE: HTML_REPORT_KEY, WORKBOOK: XLSX_EXPORT_KEY}


def _site_result(sites: list[Written], staging: Path) -> dg.MaterializeResult:
    pages = {str(w.year): str(reports_dir() / w.path.relative_to(staging)) for w in sites}
    metadata: dict[str, object] = {
        "pages": dg.MetadataValue.json(pages),
        "schools_on_list": dg.MetadataValue.json({str(w.year): w.schools_listed for w in sites}),
        "pairs_matched": dg.MetadataValue.json({str(w.year): w.pairs_matched for w in sites}),
    }
    if len(sites) == 1:  # a single year: link the page and preview it in the UI
        metadata["path"] = dg.MetadataValue.path(pages[str(sites[0].year)])
        metadata["preview"] = dg.MetadataValue.md(sites[0].preview)
    return dg.MaterializeResult(asset_key=HTML_REPORT_KEY, metadata=metadata)


def _workbook_result(workbooks: list[Written]) -> dg.MaterializeResult:
    exports = settings.exports_dir()
    return dg.MaterializeResult(
        asset_key=XLSX_EXPORT_KEY,
        metadata={
            "workbooks": dg.MetadataValue.json(
                {str(w.year): str(exports / w.path.name) for w in workbooks}
            ),
            "schools_on_list": dg.MetadataValue.json(
                {str(w.year): w.schools_listed for w in workbooks}
            ),
        },
    )


officials_outputs_asset = build_report_assets()
report_assets = [officials_outputs_asset]
