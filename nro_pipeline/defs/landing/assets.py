"""Landing layer: each extract of a results year lands in `raw.<kind>`, then GX checks it.

Lineage reads `landing/<kind>` (the file, an external asset) → `raw/<kind>` (this module) →
dbt sources `raw.<kind>` → staging → marts. Every check is blocking: a file that breaks a rule stops
that year's dbt models, so the previous marts stay as they were — except rows quarantined under
`NRO_QUARANTINE_POLICY=allow`, which fail the check with WARN severity (Dagster then does not
block) and are left out by dbt staging.

Each file is archived by content hash before it is read (`archive.py`), so what arrived is kept
even when it cannot be loaded.
"""

from pathlib import Path

import dagster as dg

from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import (
    DATA_FAILURE,
    RAW_SCHEMA,
    LandingZoneResource,
    WarehouseResource,
)
from nro_pipeline.defs.year_checks import log_year_verdicts
from nro_pipeline.lib.contract.file_kinds import FILE_KINDS, SCHOOLS, FileKind
from nro_pipeline.lib.ingest.archive import ArchiveError, archive_file, archive_root
from nro_pipeline.lib.ingest.landing_paths import landing_candidates
from nro_pipeline.lib.ingest.landing_reader import LandingError, inspect_file
from nro_pipeline.lib.ingest.raw_loader import is_landed, load_file, not_yet_arrived
from nro_pipeline.lib.validate.quarantine_policy import (
    QuarantineConfigError,
    Verdict,
    max_share,
    quarantine_policy,
)
from nro_pipeline.lib.validate.validation import ValidationOutcome, check_landed_year

LANDING_GROUP = "landing"
RAW_GROUP = "raw"


def landing_key(kind: FileKind) -> dg.AssetKey:
    return dg.AssetKey(["landing", kind.name])


def raw_key(kind: FileKind) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, kind.name])


landing_files = [
    dg.AssetSpec(
        key=landing_key(kind),
        group_name=LANDING_GROUP,
        description=f"Landing file <year>/{kind.name}.csv|xlsx — {kind.russian} (docs/methodology.md, «Входные файлы»).",
        partitions_def=results_year_partitions,
        kinds={"file"},
    )
    for kind in FILE_KINDS.values()
]


# Rows the GX checks refuse, kept for the analyst (written by the checks, read by dbt staging).
quarantine_table = dg.AssetSpec(
    key=dg.AssetKey(["quarantine", "rejected_rows"]),
    group_name=RAW_GROUP,
    description=(
        "quarantine.rejected_rows: rows a GX check refused (year, kind, file, row, rule, values); "
        "staging leaves them out under NRO_QUARANTINE_POLICY=allow."
    ),
    kinds={"duckdb"},
)


def _years(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[int]:
    op_context = (
        context.op_execution_context
        if isinstance(context, dg.AssetCheckExecutionContext)
        else context
    )
    return sorted(int(key) for key in op_context.partition_keys)


def _joined(per_year: dict[int, str]) -> str:
    """One text for the run: the year's own text, or `2023: …` lines for a run over many years."""
    if len(per_year) == 1:
        return next(iter(per_year.values()))
    lines = [f"{year}: {line}" for year, text in per_year.items() for line in text.splitlines()]
    return "\n".join(line for line in lines if not line.endswith(": none")) or "none"


def build_raw_asset(kind: FileKind) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(kind),
        deps=[landing_key(kind)],
        partitions_def=results_year_partitions,
        # A backfill lands all its years in one run with the models (one run, not one per wave).
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=RAW_GROUP,
        kinds={"duckdb"},
        description=(
            f"raw.{kind.name}: the year's {kind.russian} as delivered (canonical names and codes, "
            "text values) with lineage columns; a re-run replaces that year only, atomically."
        ),
    )
    def raw_asset(
        context: dg.AssetExecutionContext,
        landing: LandingZoneResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        metadata = {
            year: land_year(context, landing, warehouse, kind, year) for year in _years(context)
        }
        if len(metadata) == 1:
            return dg.MaterializeResult(metadata=next(iter(metadata.values())))
        return dg.MaterializeResult(
            metadata={
                "notes": _joined({y: str(m["notes"]) for y, m in metadata.items()}),
                "warnings": _joined({y: str(m["warnings"]) for y, m in metadata.items()}),
                "rows": dg.MetadataValue.json({y: m["rows"].value for y, m in metadata.items()}),
            }
        )

    raw_asset.__name__ = f"raw_{kind.name}"
    return raw_asset


def land_year(
    context: dg.AssetExecutionContext,
    landing: LandingZoneResource,
    warehouse: WarehouseResource,
    kind: FileKind,
    year: int,
) -> dict[str, object]:
    """Archive, read and load one year's file of this kind; its materialization metadata."""
    if kind.may_arrive_later and not landing_candidates(Path(landing.path), year, kind):
        return _not_yet_arrived(context, warehouse, year, kind, Path(landing.path) / str(year))
    try:
        path = landing.file_for(year, kind)
        facts = inspect_file(path)
        archived = archive_file(path, year, kind.name, archive_root(), facts.content_hash)
        with warehouse.connect() as con:
            report = load_file(con, year, kind, path, facts)
    except (LandingError, ArchiveError) as error:
        raise dg.Failure(
            description=str(error), allow_retries=False, metadata={DATA_FAILURE: True}
        ) from None
    for note in report.notes:
        context.log.info(note)
    for warning in report.warnings:
        context.log.warning(warning)
    return {
        "source_file": dg.MetadataValue.path(str(path)),
        "content_hash": report.profile.content_hash,
        "rows": dg.MetadataValue.int(report.rows),
        "unchanged": report.unchanged,
        "notes": "\n".join(report.notes) or "none",
        "warnings": "\n".join(report.warnings) or "none",
        "archived_as": dg.MetadataValue.path(archived.entry.archived_path),
        "read_as": report.profile.describe(),
        "header": ", ".join(report.profile.header),
        "extra_columns": ", ".join(report.profile.extra_columns) or "none",
        "missing_columns": ", ".join(report.missing_columns) or "none",
    }


def _not_yet_arrived(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    year: int,
    kind: FileKind,
    folder: Path,
) -> dict[str, object]:
    """A late file (the social passport) not in the landing zone yet: the year lands nothing of
    that kind and says so; the rest of the year is built."""
    with warehouse.connect() as con:
        warnings = not_yet_arrived(con, year, kind, folder)
    if kind.optional:  # a year without the region's register is normal: a note, not a warning
        for note in warnings:
            context.log.info(note)
        return {
            "source_file": "none",
            "rows": dg.MetadataValue.int(0),
            "notes": "\n".join(warnings),
            "warnings": "none",
        }
    for warning in warnings:
        context.log.warning(warning)
    return {
        "source_file": "not yet arrived",
        "rows": dg.MetadataValue.int(0),
        "notes": "none",
        "warnings": "\n".join(warnings),
    }


def build_gx_check(kind: FileKind) -> dg.AssetChecksDefinition:
    # Results are checked against the year's registry, so the registry lands first.
    registry_dep = [raw_key(SCHOOLS)] if kind is not SCHOOLS else []

    @dg.asset_check(
        asset=raw_key(kind),
        name=f"gx_{kind.name}",
        blocking=True,
        additional_deps=registry_dep,
        # Shown per results year; a run over several years (a backfill) gives one verdict.
        partitions_def=results_year_partitions,
        description=f"GX suite expectations/{kind.name}.json on the year's landed rows.",
    )
    def gx_check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        try:
            policy, allowed_share = quarantine_policy(), max_share()
        except QuarantineConfigError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        verdicts, waiting = {}, []
        for year in _years(context):
            # Read-write: the check rewrites the year's quarantine rows for this kind.
            with warehouse.connect() as con:
                if kind.may_arrive_later and not is_landed(con, year, kind):
                    waiting.append(year)
                    continue
                verdicts[year] = check_landed_year(con, year, kind, policy, allowed_share)
        if not verdicts:
            return dg.AssetCheckResult(
                passed=True,
                description=f"{kind.russian} за {', '.join(map(str, waiting))} ещё не поступил: "
                "nothing to check yet.",
                metadata={"year": waiting[0] if len(waiting) == 1 else str(waiting), "rows": 0},
            )
        if len(verdicts) + len(waiting) > 1:
            log_year_verdicts(
                context.op_execution_context,
                raw_key(kind),
                f"gx_{kind.name}",
                [(y, r.passed and not r.warn_only, r.description) for y, (_, r) in verdicts.items()]
                + [(y, True, f"{kind.russian} за {y} ещё не поступил") for y in waiting],
            )
        return gx_result(context, verdicts, policy.value)

    return gx_check


def gx_result(
    context: dg.AssetCheckExecutionContext,
    verdicts: dict[int, tuple[ValidationOutcome, Verdict]],
    policy: str,
) -> dg.AssetCheckResult:
    """The check's result over the run's years: failed if any year failed."""
    descriptions, metadata = {}, {}
    for year, (outcome, result) in verdicts.items():
        if not result.passed:
            context.log.error(result.description)
        elif result.warn_only:
            context.log.warning(result.description)
        docs = (
            f"\nGX Data Docs: {outcome.data_docs}"
            if not result.passed and outcome.data_docs
            else ""
        )
        descriptions[year] = result.description + docs
        metadata[year] = {
            "year": year,
            "source_file": outcome.source_file,
            "rows": outcome.rows,
            "expectations_run": outcome.expectations_run,
            "rules_broken": len(outcome.failures),
            "data_docs": dg.MetadataValue.url(outcome.data_docs.as_uri())
            if outcome.data_docs
            else "none: the file broke no rule",
            "quarantined_rows": result.quarantined_rows,
            "quarantine_policy": policy,
        }
    passed = all(r.passed for _, r in verdicts.values())
    warn_only = passed and any(r.warn_only for _, r in verdicts.values())
    return dg.AssetCheckResult(
        # Rows quarantined under policy "allow": a failed WARN-severity check, which Dagster
        # does not block on and which shows as a warning (a passed check would hide it).
        passed=passed and not warn_only,
        severity=dg.AssetCheckSeverity.WARN if warn_only else dg.AssetCheckSeverity.ERROR,
        description=_joined(descriptions),
        metadata=next(iter(metadata.values()))
        if len(metadata) == 1
        else {
            "years": dg.MetadataValue.json(
                {str(y): str(m["rules_broken"]) for y, m in metadata.items()}
            )
        },
    )


raw_assets = [build_raw_asset(kind) for kind in FILE_KINDS.values()]
gx_checks = [build_gx_check(kind) for kind in FILE_KINDS.values()]
