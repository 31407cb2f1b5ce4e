"""The marts that every run fills, for tests comparing warehouses."""

from __future__ import annotations

from pathlib import Path

import duckdb

MARTS = (
    "fct_procedure_results",
    "mart_low_results",
    "mart_persistence",
    "mart_isbsh",
    "isbsh_weights_fitted",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_cohort_dynamics",
    "mart_risk_profiles",
    "mart_indicators",
    "mart_list_outcomes",
    "mart_programme_effect",
    "mart_support_list",
)

# The column holding a row's results year where it is not `year`; None: recomputed whole by every
# run (the programme effect pools every entry year).
_YEAR_COLUMNS: dict[str, str | None] = {
    "mart_cohort_dynamics": "to_year",
    "mart_list_outcomes": "followup_year",
    "mart_programme_effect": None,
}


def year_column(mart: str) -> str | None:
    return _YEAR_COLUMNS.get(mart, "year")


def mart_rows(warehouse: Path, mart: str) -> list[tuple]:
    """Every row of a mart in a stable order; floats rounded, as sums of floats may differ in the
    last bit with the order rows arrive in."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
            [mart],
        ).fetchall()
        selected = ", ".join(f'round("{n}", 9)' if t == "DOUBLE" else f'"{n}"' for n, t in columns)
        return con.execute(f"SELECT {selected} FROM marts.{mart} ORDER BY ALL").fetchall()


def spoil(warehouse: Path, years: tuple[int, ...]) -> None:
    """Make a warehouse's marts differ from what a run computes: delete these years' rows of every
    mart (by `year`, `to_year` of the cohort steps, `followup_year` of the outcomes; every row of
    the programme effect, which each run recomputes whole). A test that rebuilds into it then
    fails if the rebuilt rows never land."""
    listed = ", ".join(map(str, years))
    with duckdb.connect(str(warehouse)) as con:
        for mart in MARTS:
            column = year_column(mart)
            where = f" WHERE {column} IN ({listed})" if column else ""
            con.execute(f"DELETE FROM marts.{mart}{where}")
