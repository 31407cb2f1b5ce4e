"""The methodology parameters (dbt vars) a year's marts were built with, as the reports quote them.

Each dbt build records its parameters per year in `marts.year_parameters` (`--var` overrides
included), so the reports read them there. Only a year built before that record existed falls back
to the project defaults (`lib/contract/parameters.dbt_defaults`), and the reports say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from nro_pipeline.lib.contract.parameters import dbt_defaults
from nro_pipeline.lib.publish.freshness import PARAMETERS_TABLE, year_parameters


@dataclass(frozen=True)
class YearParameters:
    year: int
    values: dict[str, Any]  # in the order of dbt_project.yml, recorded extras after them
    recorded: bool  # False: the year has no record and these are the project defaults

    def number(self, name: str) -> float:
        return float(self.values[name])

    def source_note(self) -> str:
        if self.recorded:
            return (
                f"Значения параметров — те, с которыми построены витрины {self.year} года "
                f"({PARAMETERS_TABLE})."
            )
        return (
            f"Параметры расчёта {self.year} года не записаны в хранилище ({PARAMETERS_TABLE}): "
            "показаны значения по умолчанию из dbt_project.yml — расчёт мог идти с другими."
        )


def parameters_of_year(con: duckdb.DuckDBPyConnection, year: int) -> YearParameters:
    """The year's recorded parameters, or the project defaults when it has no record."""
    recorded = year_parameters(con, year)
    defaults = dbt_defaults()
    if not recorded:
        return YearParameters(year, dict(defaults), recorded=False)
    ordered = {name: recorded[name] for name in defaults if name in recorded}
    ordered.update({name: value for name, value in recorded.items() if name not in ordered})
    return YearParameters(year, ordered, recorded=True)
