"""Figures for the end of `nro run`, read from the marts (read-only, after the run)."""

from __future__ import annotations

from pathlib import Path

import duckdb

_YEAR_FIGURES = """
    SELECT l.year,
           count(*) FILTER (WHERE l.on_initial_list) AS listed,
           count(*) FILTER (WHERE c.cluster = 'resilient') AS resilient,
           count(*) FILTER (WHERE c.cluster = 'at_risk') AS at_risk,
           count(*) FILTER (WHERE c.cluster = 'crisis') AS crisis,
           (SELECT count(*) FROM marts.mart_partner_matches m
             WHERE m.year = l.year AND m.partner_id IS NOT NULL) AS matched,
           (SELECT count(*) FROM marts.mart_isbsh i WHERE i.year = l.year) AS with_isbsh
    FROM marts.mart_low_results l
    LEFT JOIN marts.mart_school_clusters c USING (school_id, year)
    WHERE l.year IN (SELECT unnest(?))
    GROUP BY l.year
"""


def year_figures(warehouse: Path, years: list[int]) -> dict[int, str]:
    """One line per refreshed year: the list, the clusters and the partner pairs."""
    if not years or not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            rows = con.execute(_YEAR_FIGURES, [years]).fetchall()
        except duckdb.CatalogException:
            return {}
    return {
        int(year): f"{listed} schools on the initial list; "
        + (
            f"{matched} partner pairs; clusters: "
            f"{resilient} resilient, {at_risk} at risk, {crisis} crisis"
            if with_isbsh
            else "ISBSh, clusters and partners wait for the social passport"
        )
        for year, listed, resilient, at_risk, crisis, matched, with_isbsh in rows
    }
