"""What a year's suites compare against: the registry's school ids, and notes on offending ids."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from nro_pipeline.lib.contract.file_kinds import FileKind
from nro_pipeline.lib.ingest.raw_tables import RAW_SCHEMA
from nro_pipeline.lib.ingest.value_normaliser import iso_date


@dataclass(frozen=True)
class SuiteContext:
    """What the suites compare against, and notes that explain an offending value."""

    parameters: dict[str, list[str]]
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # column → value → note


def suite_context(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> SuiteContext:
    """The year's registry, and what earlier registries say about schools missing from it.

    - `unregistered_school_ids`: the file's school_ids that neither this year's registry lists nor
      an earlier registry merged into a successor (rule «school_id is a school of this year's
      registry»; a merged school is reported once, by the more specific rule below). A school
      merged during the year (successor_id set this year) is still in the registry and still
      reports that year's results.
    - `merged_school_ids`: schools an earlier year's registry marked as merged into a successor
      and that this year's registry does not list; their results belong under the successor
      (rule «… merged into a successor in an earlier year»).
    - `unregistered_successor_ids` (registry only): successor_ids the registry does not list.
    - The region's register (docs/methodology.md, «Решения региона»):
      `unregistered_partner_ids` (partner_ids this year's registry does not list),
      `self_partnered_school_ids` (schools named as their own partner) and
      `unreadable_agreement_dates` (agreement_date values that are no calendar date).
    The membership rules are stated by GX as "not in the set of ids the registry lacks": the same
    rows fail as with "in the registry", but the set stays small (a 40,000-id set in an expectation
    made GX about ten times slower, it copies its configuration per metric).
    Notes name the successor (following a chain of mergers to a school of this year's registry)
    or the last registry that listed a school, next to each offending school_id.
    """
    try:
        history = con.execute(
            f"""SELECT year, school_id, successor_id FROM {RAW_SCHEMA}.schools
                WHERE year <= ? AND school_id IS NOT NULL ORDER BY year""",
            [year],
        ).fetchall()
    except duckdb.CatalogException:
        history = []
    registry = {school for y, school, _ in history if y == year}
    merged, notes = _mergers_and_notes(history, year, registry)
    known = registry | set(merged)
    parameters = {
        "merged_school_ids": sorted(merged),
        "unregistered_school_ids": sorted(_distinct(con, year, kind, "school_id") - known),
    }
    if "successor_id" in kind.column_names:
        successors = _distinct(con, year, kind, "successor_id")
        parameters["unregistered_successor_ids"] = sorted(successors - registry)
    if "partner_id" in kind.column_names:
        parameters.update(_register_parameters(con, year, kind, registry))
    return SuiteContext(parameters=parameters, notes={"school_id": notes})


def _mergers_and_notes(
    history: list[tuple[int, str, str | None]], year: int, registry: set[str]
) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
    """Schools merged in an earlier year (school → successor, year) that this year's registry
    lacks, and a note per school missing from it (its successor, or its last registry)."""
    merged: dict[str, tuple[str, int]] = {}
    last_listed: dict[str, int] = {}
    for y, school, successor in history:
        if y < year:
            last_listed[school] = y
            if successor and school not in merged:
                merged[school] = (successor, y)
    merged = {school: merge for school, merge in merged.items() if school not in registry}
    notes: dict[str, str] = {}
    for school, last in last_listed.items():
        if school not in registry:
            notes[school] = f"last listed in the {last} registry"
    for school, (successor, merged_in) in merged.items():
        current, seen = successor, {school}
        while current in merged and current not in seen:  # A → B → C: report under C
            seen.add(current)
            current = merged[current][0]
        now = "" if current == successor else f", now part of {current}"
        notes[school] = f"merged into {successor} by the {merged_in} registry{now}"
    return merged, notes


def _register_parameters(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, registry: set[str]
) -> dict[str, list[str]]:
    """What the register's rules compare against, beyond the registry of school ids."""
    self_partnered = con.execute(
        f"""SELECT DISTINCT school_id FROM {RAW_SCHEMA}.{kind.name}
            WHERE year = ? AND school_id IS NOT NULL AND partner_id = school_id""",
        [year],
    ).fetchall()
    dates = _distinct(con, year, kind, "agreement_date")
    return {
        "unregistered_partner_ids": sorted(_distinct(con, year, kind, "partner_id") - registry),
        "self_partnered_school_ids": sorted(school for (school,) in self_partnered),
        "unreadable_agreement_dates": sorted(d for d in dates if iso_date(d) != d),
    }


def _distinct(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, column: str) -> set[str]:
    rows = con.execute(
        f"""SELECT DISTINCT "{column}" FROM {RAW_SCHEMA}.{kind.name}
            WHERE year = ? AND "{column}" IS NOT NULL""",
        [year],
    ).fetchall()
    return {value for (value,) in rows}
