"""Results-year partitions (static: a results year is a label, not a time window)."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from nro_pipeline import settings
from nro_pipeline.lib.ingest.landing_reader import landing_years

FIRST_YEAR_ENV = "NRO_FIRST_YEAR"
DEFAULT_FIRST_YEAR = 2019


def results_years() -> list[int]:
    """Every year from NRO_FIRST_YEAR (2019) to this calendar year, plus any year folder that landed."""
    first = int(os.environ.get(FIRST_YEAR_ENV) or DEFAULT_FIRST_YEAR)
    years = set(range(first, date.today().year + 1)) | set(landing_years(settings.landing_dir()))
    return sorted(years)


results_year_partitions = dg.StaticPartitionsDefinition([str(y) for y in results_years()])
