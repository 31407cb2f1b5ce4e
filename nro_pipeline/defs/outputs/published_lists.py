"""`marts/published_lists`: a year's list frozen as sent to officials (job `publish_list`, what
`nro publish --year Y` launches). The logic is lib/publish/published_lists.py.

Publishing is an act, not part of a refresh: the refresh jobs leave this asset out, and a run
that selects it must say `confirm: true` in its config — so "Materialize all" in the UI opens the
launchpad instead of publishing every year. Like every run it works on the warehouse copy, and its
publication and the refreshed BI snapshot land together when the run commits.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from nro_pipeline.defs.outputs.report_specs import mart_key
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.lib.publish.published_lists import PublishError, append_publication
from nro_pipeline.lib.publish.snapshot import write_snapshot

PUBLISHED_LISTS_KEY = dg.AssetKey(["marts", "published_lists"])


class PublishConfig(dg.Config):
    confirm: bool = Field(
        description="true: freeze the year's current list as published (appended, never changed)."
    )


@dg.asset(
    key=PUBLISHED_LISTS_KEY,
    deps=[mart_key("mart_low_results")],
    partitions_def=results_year_partitions,
    group_name="published",
    kinds={"duckdb"},
    description=(
        "marts.published_lists: the lists as published (append-only), one publication per "
        "`nro publish --year Y`; reports say how the current list differs from the latest one."
    ),
)
def published_lists(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: PublishConfig
) -> dg.MaterializeResult:
    year = int(context.partition_key)
    if not config.confirm:
        raise dg.Failure(
            description=f"not published: the run config must say confirm: true to publish {year}.",
            allow_retries=False,
        )
    try:
        with warehouse.connect() as con:
            done = append_publication(con, year)
    except PublishError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    # The snapshot shows the publication at once: staged now, swapped in with the warehouse.
    staged = warehouse.snapshot_staging()
    write_snapshot(warehouse.reading_path, staged, previous=Path(warehouse.published_path))
    warehouse.publish_staged_snapshot(staged)
    return dg.MaterializeResult(
        metadata={
            "publication_id": done.publication_id,
            "published_at": done.published_at.isoformat(sep=" "),
            "schools": done.schools,
            "listed": done.listed,
            "final_listed": done.final_listed,
            "parameters_recorded": done.parameters_recorded,
        }
    )
