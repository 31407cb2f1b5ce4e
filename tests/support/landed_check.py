"""A small file checked by its GX suite the way a run checks it: landed beside a registry of the
given schools, then validated. For the unit tests of validation."""

from __future__ import annotations

from pathlib import Path

import duckdb

from nro_pipeline.lib.contract.file_kinds import FILE_KINDS
from nro_pipeline.lib.ingest.raw_loader import load_file
from nro_pipeline.lib.sample.landing_writer import write_landing_file
from nro_pipeline.lib.validate.quarantine_policy import QuarantinePolicy, Verdict
from nro_pipeline.lib.validate.validation import ValidationOutcome, check_landed_year

Rows = list[dict[str, object]]


def registry_rows(schools: tuple[str, ...]) -> Rows:
    """A registry listing `schools`, every value valid."""
    return [
        {
            "school_id": s,
            "school_name": f"Школа {s}",
            "municipality": "Северогорск",
            "locality_type": "city",
            "levels": "NOO,OOO",
            "latitude": 60,
            "longitude": 43,
        }
        for s in schools
    ]


def check_against_registry(
    folder: Path,
    year: int,
    kind_name: str,
    rows: Rows,
    schools: tuple[str, ...],
    policy: QuarantinePolicy = QuarantinePolicy.BLOCK,
) -> tuple[ValidationOutcome, Verdict, Path]:
    """Land the registry and `rows` as file kind `kind_name` in `folder`, check the latter under
    `policy` (at most half the rows bad); its outcome, verdict and landing file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    with duckdb.connect(str(folder / "nro.duckdb")) as con:
        for kind, kind_rows in (("schools", registry_rows(schools)), (kind_name, rows)):
            paths[kind] = write_landing_file(folder / "landing" / kind, FILE_KINDS[kind], kind_rows)
            load_file(con, year, FILE_KINDS[kind], paths[kind])
        outcome, verdict = check_landed_year(con, year, FILE_KINDS[kind_name], policy, 0.5)
    return outcome, verdict, paths[kind_name]
