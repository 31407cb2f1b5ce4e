"""Whether a year with bad rows may still refresh: the quarantine policy and the GX check's verdict.

`quarantine.rejected_rows` holds one row per (source row, broken rule) of the file currently
landed for each (year, kind): it is emptied when a new file lands and rewritten on each validation.

The policy (`NRO_QUARANTINE_POLICY`):
- `block` (default): any broken rule blocks the year; quarantine only shows the analyst the rows.
- `allow`: a year whose only failures are row-level may refresh without those rows. The GX check
  passes with a WARN note, and dbt staging leaves out every row listed here (anti-join on year,
  kind, row number and content hash). Even then the year is blocked when
  - a rule about the file as a whole fails (missing column, unreadable file — never here at all),
  - the registry of schools has a bad row: every other file is checked against the registry, so
    leaving a school out would silently drop it from every list,
  - the region's register of decisions has a bad row: a decision left out would silently change
    the final list (SPEC §3c refuses such a register), or
  - more than `NRO_QUARANTINE_MAX_SHARE` (default 5 %) of the file's rows are bad: then the file
    as a whole is wrong (percentages instead of counts, shifted columns), not a few rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import SCHOOLS, SUPPORT_REGISTER
from nro_pipeline.lib.ingest.quarantine_table import REJECTED_ROWS
from nro_pipeline.lib.validate.outcome import ValidationOutcome

POLICY_ENV = settings.QUARANTINE_POLICY_ENV
MAX_SHARE_ENV = settings.QUARANTINE_MAX_SHARE_ENV
DEFAULT_MAX_SHARE = 0.05
# Kinds whose bad rows always block, and why (see the module docstring).
NEVER_PARTLY_LOADED = {
    SCHOOLS.name: "the registry of schools is never loaded in part, whatever {env} says: every "
    "other file is checked against it",
    SUPPORT_REGISTER.name: "the region's register of decisions is never loaded in part, whatever "
    "{env} says: a decision left out would silently change the final list",
}


class QuarantineConfigError(ValueError):
    """A policy setting that is not understood; the message says what is expected."""


class QuarantinePolicy(Enum):
    BLOCK = "block"
    ALLOW = "allow"


def quarantine_policy() -> QuarantinePolicy:
    value = settings.quarantine_policy_text()
    try:
        return QuarantinePolicy(value)
    except ValueError:
        raise QuarantineConfigError(
            f"{POLICY_ENV}={value!r} is not a quarantine policy; use 'block' (default: a bad row "
            "blocks its year) or 'allow' (the year refreshes without the quarantined rows)."
        ) from None


def max_share() -> float:
    value = settings.quarantine_max_share_text() or str(DEFAULT_MAX_SHARE)
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise QuarantineConfigError(
            f"{MAX_SHARE_ENV}={value!r} is not a share between 0 and 1 (default {DEFAULT_MAX_SHARE})."
        )
    return share


@dataclass(frozen=True)
class Verdict:
    """What the blocking GX check reports: may the year's models run?"""

    passed: bool
    warn_only: bool  # passed with a WARN-severity note: rows quarantined (policy allow) or warnings
    description: str
    quarantined_rows: int


def verdict(
    outcome: ValidationOutcome,
    quarantined_rows: int,
    policy: QuarantinePolicy,
    allowed_share: float,
) -> Verdict:
    if outcome.success:
        # Warnings only (e.g. a VPR row with 0 participants): the year refreshes, the run says so.
        return Verdict(True, bool(outcome.warnings), outcome.message(), 0)
    where = f"{quarantined_rows} row(s) listed in {REJECTED_ROWS}"
    message = outcome.message()
    if outcome.table_failures:
        return Verdict(False, False, message, quarantined_rows)
    if policy is QuarantinePolicy.BLOCK:
        return Verdict(False, False, f"{message}\n({where})", quarantined_rows)
    if outcome.kind in NEVER_PARTLY_LOADED:
        why = NEVER_PARTLY_LOADED[outcome.kind].format(env=POLICY_ENV)
        return Verdict(False, False, f"{message}\n({where}; {why})", quarantined_rows)
    share = quarantined_rows / outcome.rows if outcome.rows else 1.0
    if share > allowed_share:
        return Verdict(
            False,
            False,
            f"{message}\n({where}: {share:.0%} of the file's {outcome.rows} rows, more than "
            f"{MAX_SHARE_ENV}={allowed_share:g} allows — the file as a whole looks wrong)",
            quarantined_rows,
        )
    return Verdict(
        True,
        True,
        f"{outcome.source_file}: {quarantined_rows} of {outcome.rows} rows quarantined and left "
        f"out of the marts ({POLICY_ENV}=allow; see {REJECTED_ROWS}):\n{message}",
        quarantined_rows,
    )
