"""What a run writes once its marts are built, as one Dagster step (`run_outputs`): the BI
snapshot (`published/marts_snapshot`), each year's HTML report with its municipality pages and
every school's page for all its years (`reports/html_report`) and each year's XLSX workbook
(`reports/xlsx_export`).

One step because the three are independent readers of the run's copy: written side by side in
worker processes (`lib/run_outputs`), a run pays about the longest of them rather than their sum
(bench/README.md). The step is subsettable: any of the three can be materialised alone.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.defs.outputs.report_specs import (
    HTML_REPORT_KEY,
    HTML_REPORT_SPEC,
    XLSX_EXPORT_KEY,
    XLSX_EXPORT_SPEC,
)
from nro_pipeline.defs.outputs.snapshot_spec import SNAPSHOT_KEY, snapshot_spec
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.reports.warehouse import ExportError
from nro_pipeline.lib.run_outputs import (
    SCHOOL_PAGES,
    SITE,
    SNAPSHOT,
    WORKBOOK,
    OutputPlaces,
    Written,
    write_outputs,
)

_KEYS = {SNAPSHOT: SNAPSHOT_KEY, SITE: HTML_REPORT_KEY, WORKBOOK: XLSX_EXPORT_KEY}


def build_output_assets(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """`mart_keys`: what the BI snapshot copies (the dbt assets of schemas marts and bi)."""

    @dg.multi_asset(
        name="run_outputs",
        specs=[snapshot_spec(mart_keys), HTML_REPORT_SPEC, XLSX_EXPORT_SPEC],
        can_subset=True,
        partitions_def=results_year_partitions,
        # one run may cover many years (nro run, backfills): one site and workbook per year
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def run_outputs(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        kinds = [kind for kind, key in _KEYS.items() if key in context.selected_asset_keys]
        places = OutputPlaces(
            read_from=warehouse.reading_path,
            warehouse=str(warehouse.path),
            # asked only when written: a run commits the staged snapshot it was given
            snapshot=warehouse.snapshot_staging() if SNAPSHOT in kinds else None,
            snapshot_now=Path(warehouse.published_path),
            reports=warehouse.output_folder(settings.reports_dir()),
            reports_now=settings.reports_dir(),
            exports=warehouse.output_folder(settings.exports_dir()),
        )
        years = [int(key) for key in context.partition_keys]
        try:
            written = write_outputs(places, kinds, years, settings.report_workers())
        except ExportError as error:  # ReportError too: no marts for a year, no warehouse
            raise dg.Failure(description=str(error), allow_retries=False) from None
        by_kind = {kind: [w for w in written if w.kind == kind] for kind in kinds}
        if SNAPSHOT in kinds:
            [snapshot] = by_kind[SNAPSHOT]
            warehouse.publish_staged_snapshot(snapshot.path)
            yield dg.MaterializeResult(
                asset_key=SNAPSHOT_KEY,
                metadata={
                    "path": dg.MetadataValue.path(warehouse.published_path),
                    "tables": dg.MetadataValue.json(snapshot.tables),
                },
            )
        if SITE in kinds:
            [schools] = [w for w in written if w.kind == SCHOOL_PAGES]
            yield _site_result(by_kind[SITE], schools, places)
        if WORKBOOK in kinds:
            yield _workbook_result(by_kind[WORKBOOK])

    return run_outputs


def _site_result(
    sites: list[Written], schools: Written, places: OutputPlaces
) -> dg.MaterializeResult:
    pages = {
        str(w.year): str(settings.reports_dir() / w.path.relative_to(places.reports)) for w in sites
    }
    assert schools.pages is not None
    metadata: dict[str, object] = {
        "pages": dg.MetadataValue.json(pages),
        "school_pages": dg.MetadataValue.path(
            str(settings.reports_dir() / schools.path.relative_to(places.reports))
        ),
        "school_pages_written": dg.MetadataValue.int(schools.pages.written),
        "school_pages_unchanged": dg.MetadataValue.int(schools.pages.unchanged),
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
