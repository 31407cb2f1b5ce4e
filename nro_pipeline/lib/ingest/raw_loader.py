"""Land one file into the DuckDB `raw` schema: the year's rows are replaced in one transaction.

`raw.<kind>` keeps every canonical column as text (types are checked by GX and cast in dbt
staging), unknown columns as JSON, and lineage: source file, content hash, row number, load time.
`raw.landed_files` records what each (year, kind) currently holds and how it was read.

Rules about where a file belongs, checked here because they compare it with what is landed
(each refuses the file with a LandingError, the year's raw rows stay as they were):
- **Same content again** (same SHA-256 as the file landed for this year and kind, read by the same
  loader version): nothing is reloaded; the report says so. Landing is idempotent.
- **Another year's data**: a results file (not the registry: an unchanged registry is legitimate)
  with rows, byte-for-byte equal to the file currently landed for another year, is refused; and so
  is a file whose own year column (`год`, `year`, `учебный год`: 2024 or 2023/24) names another year.
- **A partial replacement**: a file with rows that covers fewer than half the schools of the file
  it replaces is refused (a landing file replaces the year's rows of its kind in full, so a
  correction must be the complete file); `NRO_ALLOW_SHRINK=1` accepts a real drop. A header-only
  file is not partial: it says the year has no such data (valid, with a warning).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nro_pipeline import settings
from nro_pipeline.lib.contract.file_kinds import SCHOOLS, FileKind
from nro_pipeline.lib.ingest.landing_reader import (
    FastPathUnavailable,
    FileFacts,
    FileProfile,
    LandingError,
    inspect_file,
    read_landing_file,
)
from nro_pipeline.lib.ingest.quarantine_table import clear_rejected_rows
from nro_pipeline.lib.ingest.raw_tables import (
    RAW_SCHEMA,
    ensure_raw_tables,
    is_landed,
    landed_columns,
    landed_record,
)

# Bump when the reader or loader would turn the same bytes into different raw rows, so that an
# unchanged file is read again once after an upgrade instead of being skipped.
__all__ = [  # the raw_tables names are re-exported: importers of the loader use them too
    "ALLOW_SHRINK_ENV",
    "LOADER_VERSION",
    "RAW_SCHEMA",
    "LoadReport",
    "ensure_raw_tables",
    "is_landed",
    "landed_columns",
    "load_file",
    "not_yet_arrived",
    "stated_results_year",
]

LOADER_VERSION = 3  # 3: title rows above the header are skipped
ALLOW_SHRINK_ENV = settings.ALLOW_SHRINK_ENV
MIN_KEPT_SHARE = 0.5  # a replacement must cover at least this share of the replaced file's schools


@dataclass(frozen=True)
class LoadReport:
    year: int
    kind: str
    profile: FileProfile
    rows: int
    missing_columns: list[str]
    loaded_at: datetime
    unchanged: bool = False  # same content as already landed: nothing was reloaded

    @property
    def notes(self) -> list[str]:
        """Plain-words remarks for the run log: what was (not) done, nothing wrong."""
        if not self.unchanged:
            return []
        return [
            f"{self.profile.path}: same content as landed at {self.loaded_at:%Y-%m-%d %H:%M} UTC "
            f"(sha256 {self.profile.content_hash[:12]}…) — not reloaded."
        ]

    @property
    def warnings(self) -> list[str]:
        """Valid, but worth saying: a header-only file (docs/methodology.md, «Входные файлы»)."""
        if self.rows:
            return []
        return [
            f"{self.profile.path}: header only, no rows — {self.year} simply had no "
            f"{self.kind} data."
        ]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_file(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    path: Path,
    facts: FileFacts | None = None,
) -> LoadReport:
    """Replace the year's rows of `raw.<kind>` with the file's rows, atomically.

    Skips the load when the same content is landed already; refuses (LandingError) a file that
    cannot be read, belongs to another year or would replace the year's data only in part.
    """
    ensure_raw_tables(con, kind)
    facts = facts or inspect_file(path)
    if (skipped := _unchanged(con, year, kind, path, facts)) is not None:
        return skipped
    _refuse_another_years_file(con, year, kind, path, facts)
    loaded_at = _now()
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = landed_record(con, year, kind)
        schools_before = _school_count(con, year, kind)
        try:
            profile, rows = _insert_rows(con, year, kind, path, facts, loaded_at, fast=True)
        except FastPathUnavailable:
            # Arrow's parser could not vouch for the file: start the year over, row by row.
            con.execute("ROLLBACK")
            con.execute("BEGIN TRANSACTION")
            profile, rows = _insert_rows(con, year, kind, path, facts, loaded_at, fast=False)
        _check_stated_year(con, year, kind, profile)
        _check_not_partial(con, year, kind, profile, replaced, schools_before)
        clear_rejected_rows(con, year, kind.name)
        missing = [c for c in kind.required_columns if c not in profile.columns]
        record = _landed_files_row(year, kind, path, profile, rows, loaded_at)
        con.execute(
            f"INSERT OR REPLACE INTO {RAW_SCHEMA}.landed_files ({', '.join(record)}) "
            f"VALUES ({', '.join('?' for _ in record)})",
            list(record.values()),
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return LoadReport(year, kind.name, profile, rows, missing, loaded_at)


def _landed_files_row(
    year: int, kind: FileKind, path: Path, profile: FileProfile, rows: int, loaded_at: datetime
) -> dict[str, object]:
    """The `raw.landed_files` record of a load: what the year now holds and how it was read."""
    return {
        "year": year,
        "kind": kind.name,
        "source_file": str(path),
        "content_hash": profile.content_hash,
        "size_bytes": profile.size_bytes,
        "file_format": profile.file_format,
        "encoding": profile.encoding,
        "delimiter": profile.delimiter,
        "header": json.dumps(profile.header, ensure_ascii=False),
        "header_row": profile.header_row,
        "columns_present": json.dumps(sorted(profile.columns)),
        "extra_columns": json.dumps(sorted(profile.extra_columns), ensure_ascii=False),
        "rows": rows,
        "loaded_at": loaded_at,
        "loader_version": LOADER_VERSION,
        "last_seen_at": loaded_at,
    }


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    path: Path,
    facts: FileFacts,
    loaded_at: datetime,
    fast: bool,
) -> tuple[FileProfile, int]:
    """Delete the year's rows of `raw.<kind>` and insert the file's, inside the caller's
    transaction."""
    profile, batches = read_landing_file(path, kind, facts=facts, fast=fast)
    columns = ", ".join(f'"{name}"' for name in kind.column_names)
    con.execute(f"DELETE FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year])
    rows = 0
    for batch in batches:
        con.register("landing_batch", batch)
        con.execute(
            f"""INSERT INTO {RAW_SCHEMA}.{kind.name}
                SELECT ?, {columns}, _extra_columns, ?, ?, _row_number, ? FROM landing_batch""",
            [year, str(path), profile.content_hash, loaded_at],
        )
        con.unregister("landing_batch")
        rows += batch.num_rows
    return profile, rows


def _unchanged(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, path: Path, facts: FileFacts
) -> LoadReport | None:
    """The report of a skipped load when the year already holds exactly this content."""
    landed = landed_record(con, year, kind)
    if (
        landed is None
        or landed["content_hash"] != facts.content_hash
        or landed["loader_version"] != LOADER_VERSION
    ):
        return None
    # The rows must still be there as landed (nobody deleted or half-replaced them).
    [(present,)] = con.execute(
        f"SELECT count(*) FROM {RAW_SCHEMA}.{kind.name} WHERE year = ? AND _content_hash = ?",
        [year, facts.content_hash],
    ).fetchall()
    [(total,)] = con.execute(
        f"SELECT count(*) FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year]
    ).fetchall()
    if present != landed["rows"] or total != present:
        return None
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"""UPDATE {RAW_SCHEMA}.landed_files SET last_seen_at = ?, source_file = ?
                WHERE year = ? AND kind = ?""",
            [_now(), str(path), year, kind.name],
        )
        if landed["source_file"] != str(path):
            # The same bytes now sit elsewhere (landing zone moved or rebuilt from the archive):
            # messages and lineage name the file as it is now.
            con.execute(
                f"UPDATE {RAW_SCHEMA}.{kind.name} SET _source_file = ? WHERE year = ?",
                [str(path), year],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    profile = _profile_of_record(landed, path, facts)
    columns = list(profile.columns)
    missing = [c for c in kind.required_columns if c not in columns]
    return LoadReport(
        year, kind.name, profile, landed["rows"], missing, landed["loaded_at"], unchanged=True
    )


def _profile_of_record(landed: dict, path: Path, facts: FileFacts) -> FileProfile:
    """The profile of a file landed earlier, as `raw.landed_files` recorded it."""
    columns = json.loads(landed["columns_present"] or "[]")
    header = json.loads(landed["header"] or "[]")
    extras = json.loads(landed["extra_columns"] or "[]")
    return FileProfile(
        path=path,
        content_hash=facts.content_hash,
        size_bytes=facts.size_bytes,
        file_format=landed["file_format"],
        encoding=landed["encoding"],
        delimiter=landed["delimiter"],
        header=header,
        header_row=landed["header_row"] or 1,
        # Positions only matter while reading, and nothing is read: -1 marks "not recorded".
        columns=dict.fromkeys(columns, -1),
        extra_columns=dict.fromkeys(extras, -1),
    )


def _refuse_another_years_file(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, path: Path, facts: FileFacts
) -> None:
    if kind is SCHOOLS:
        return  # a registry that did not change from one year to the next is legitimate
    other = con.execute(
        f"""SELECT year, source_file FROM {RAW_SCHEMA}.landed_files
            WHERE kind = ? AND content_hash = ? AND year <> ? AND rows > 0 ORDER BY year LIMIT 1""",
        [kind.name, facts.content_hash, year],
    ).fetchall()
    if other:
        other = other[0]
        raise LandingError(
            f"{path}: byte-for-byte the same file as the {kind.name} landed for {other[0]} "
            f"({other[1]}); rule: a year's folder holds that year's data — two years' results "
            "are never identical."
        )


_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[/\-–—]\s*(\d{4}|\d{2})\D*")
_ONE_YEAR = re.compile(r"(\d{4})(?:\.0+)?(?:\s*(?:г|год|г\.))?")


def stated_results_year(value: str) -> int | None:
    """The results year a cell states: `2024` → 2024, `2023/24` or `2023-2024` → 2024 (a school
    year ends in the spring of its results year); anything else → None (not read as a year)."""
    text = value.strip()
    if match := _SCHOOL_YEAR.fullmatch(text):
        start, end = match.group(1), match.group(2)
        return int(end) if len(end) == 4 else int(start[:2] + end)
    if match := _ONE_YEAR.fullmatch(text):
        return int(match.group(1))
    return None


def _check_stated_year(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, profile: FileProfile
) -> None:
    for header in profile.year_columns:
        json_path = '$."' + header.replace("\\", "\\\\").replace('"', '\\"') + '"'
        stated = con.execute(
            f"""SELECT json_extract_string(_extra_columns, ?) AS v, min(_row_number), count(*)
                FROM {RAW_SCHEMA}.{kind.name} WHERE year = ? GROUP BY v ORDER BY 2""",
            [json_path, year],
        ).fetchall()
        for value, first_row, count in stated:
            said = stated_results_year(value) if value is not None else None
            if said is not None and said != year:
                raise LandingError(
                    f"{profile.path}: row {first_row}"
                    + (f" and {count - 1} more" if count > 1 else "")
                    + f": column «{header}» says {value} (results year {said}), but the file is "
                    f"in the folder of {year}; rule: a year's folder holds that year's data."
                )


def _school_count(con: duckdb.DuckDBPyConnection, year: int, kind: FileKind) -> int:
    [(count,)] = con.execute(
        f"SELECT count(DISTINCT school_id) FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year]
    ).fetchall()
    return int(count)


def _check_not_partial(
    con: duckdb.DuckDBPyConnection,
    year: int,
    kind: FileKind,
    profile: FileProfile,
    replaced: dict | None,
    schools_before: int,
) -> None:
    if replaced is None or schools_before == 0 or settings.allow_shrink():
        return
    schools_now = _school_count(con, year, kind)
    # A header-only file is not a partial one: it states that the year has no such data.
    if 0 < schools_now < schools_before * MIN_KEPT_SHARE:
        raise LandingError(
            f"{profile.path}: covers {schools_now} school(s) where the {kind.name} it would "
            f"replace ({replaced['source_file']}, landed {replaced['loaded_at']:%Y-%m-%d %H:%M} "
            f"UTC) covers {schools_before}; a landing file replaces the year's {kind.name} in "
            "full, so a correction must be the complete file; rule: a replacement keeps at least "
            f"half of the schools (set {ALLOW_SHRINK_ENV}=1 for one run if the drop is real)."
        )


def not_yet_arrived(
    con: duckdb.DuckDBPyConnection, year: int, kind: FileKind, folder: Path
) -> list[str]:
    """A year whose file of a late kind (the social passport) is not in the landing zone yet:
    raw holds nothing of that kind for the year — what the year builds without it is built, the
    rest waits — and other years are not touched. Returns the warnings for the run log.

    A file landed earlier and since taken out of the landing zone is withdrawn too (the landing
    zone says what the year has; the archive still keeps the file), and the warning says so."""
    ensure_raw_tables(con, kind)
    con.execute("BEGIN TRANSACTION")
    try:
        withdrawn = landed_record(con, year, kind)
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{kind.name} WHERE year = ?", [year])
        con.execute(
            f"DELETE FROM {RAW_SCHEMA}.landed_files WHERE year = ? AND kind = ?", [year, kind.name]
        )
        clear_rejected_rows(con, year, kind.name)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    warning = (
        f"{folder}: {kind.russian} за {year} не поступил (no {kind.name}.csv or "
        f"{kind.name}.xlsx) — the final list of {year} is the preliminary one, with the "
        "suggested partners; a run after the register lands applies the region's decisions."
        if kind.optional
        else f"{folder}: {kind.russian} за {year} ещё не поступил (no {kind.name}.csv or "
        f"{kind.name}.xlsx) — the year's list, persistence, result index and dynamics are built; "
        "ISBSh, social status, clusters and partners wait for it, and a run after it lands "
        "completes them."
    )
    if withdrawn is not None:
        warning += (
            f" The {kind.name} landed for {year} at {withdrawn['loaded_at']:%Y-%m-%d %H:%M} UTC "
            f"({withdrawn['source_file']}) is no longer in the landing zone and was taken out of "
            "raw; the archive keeps it."
        )
    return [warning]
