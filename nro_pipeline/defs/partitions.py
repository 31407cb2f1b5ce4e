"""Results-year partitions: one per year folder that has landed, added as the folders appear.

Dynamic partitions, so the UI shows the years there are data for and no phantom future years.
The landing sensor, `nro run` and `nro dev` register new year folders (`register_landed_years`).
"""

from __future__ import annotations

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.lib.ingest.landing_reader import landing_years

results_year_partitions = dg.DynamicPartitionsDefinition(name="results_year")


def new_landed_years(instance: dg.DagsterInstance) -> list[str]:
    """Year folders of the landing zone that are not partitions yet, in year order."""
    known = set(instance.get_dynamic_partitions(results_year_partitions.name or ""))
    return [str(y) for y in landing_years(settings.landing_dir()) if str(y) not in known]


def register_landed_years(instance: dg.DagsterInstance) -> list[str]:
    added = new_landed_years(instance)
    if added:
        instance.add_dynamic_partitions(results_year_partitions.name or "", added)
    return added


def year_keys(instance: dg.DagsterInstance) -> list[str]:
    return results_year_partitions.get_partition_keys(dynamic_partitions_store=instance)
