"""`nro publish --year Y`: one run of the job `publish_list`, which freezes the year's list in
`marts.published_lists`, refreshes the BI snapshot (defs/outputs/published_lists.py) and writes
the year's public edition (defs/outputs/public_edition.py)."""

from __future__ import annotations

import sys

from nro_pipeline import settings
from nro_pipeline.commands.launch import execute, warehouse_held
from nro_pipeline.definitions import load_definitions
from nro_pipeline.defs.outputs.public_edition import PUBLIC_EDITION_KEY
from nro_pipeline.defs.outputs.published_lists import PUBLISHED_LISTS_KEY, published_lists
from nro_pipeline.defs.partitions import register_landed_years, year_keys
from nro_pipeline.instance.home import open_instance

PUBLISH_JOB = "publish_list"


def publish(year: int) -> int:
    warehouse = settings.warehouse_path()
    if not warehouse.exists():
        return _refuse(f"no warehouse at {warehouse}: run `nro run` first.")
    with warehouse_held(warehouse, "nro publish") as refusal:
        if refusal:
            return _refuse(refusal)
        instance = open_instance(settings.dagster_home(), in_process=True)
        register_landed_years(instance)
        if str(year) not in year_keys(instance):
            return _refuse(
                f"the warehouse has no marts for {year}: run `nro run --years {year}` first."
            )
        job = load_definitions().resolve_job_def(PUBLISH_JOB)
        report = execute(
            job,
            instance,
            verbose=False,
            ops_config={published_lists.op.name: {"config": {"confirm": True}}},
            partition_key=str(year),
        )
        if report.problems or report.interrupted:
            return _refuse("; ".join(report.problems) or "interrupted; nothing was published.")
        event = instance.get_latest_materialization_event(PUBLISHED_LISTS_KEY)
        edition = instance.get_latest_materialization_event(PUBLIC_EDITION_KEY)
    done = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    public = {k: v.value for k, v in edition.asset_materialization.metadata.items()}
    print(
        f"Published the {year} list as publication {done['publication_id']} "
        f"({done['published_at'][:16]} UTC): {done['listed']} of {done['schools']} schools on the "
        f"list, {done.get('final_listed', done['listed'])} on the final list (the region's "
        f"decisions), frozen in marts.published_lists and the BI snapshot "
        f"{settings.published_path()}"
    )
    print(
        f"Public edition (figures of small groups hidden, docs/methodology.md «Публичная версия»): "
        f"site {public['site']} ({public['school_pages']} school pages), workbook {public['workbook']}"
    )
    if not done["parameters_recorded"]:
        print(
            f"note: the {year} marts have no recorded parameters (marts.year_parameters); the "
            "publication keeps the defaults of dbt_project.yml"
        )
    return 0


def _refuse(why: str) -> int:
    print(f"nro publish: {why}", file=sys.stderr)
    return 1
