"""Every file that arrives in the landing zone is kept, by content hash.

Why: docs/methodology.md, «Входные файлы», «Хранение».

Layout under the archive root (`NRO_ARCHIVE_DIR`, default `<project>/data/archive`):

```
<root>/ab/ab12…ef.csv      the bytes, named by their SHA-256 and the suffix they arrived with
<root>/ab/ab12…ef.json     what the bytes are: sha256, size, format, first seen (written once)
<root>/manifest.jsonl      one line per receipt: year, kind, sha256, original path, size,
                           received_at (UTC), format, archived path — append-only
```

A receipt is appended only when (year, kind) receives content different from the last receipt of
that (year, kind): landing the same content again adds nothing, while going back to an earlier
version (A → B → A) is recorded, so "the latest receipt" is always what the landing zone held.
`restore_landing` rebuilds a landing zone from the manifest, as it was at any moment.

Files are archived before they are read, so an unreadable delivery is kept as evidence too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from nro_pipeline import settings

ARCHIVE_DIR_ENV = settings.ARCHIVE_DIR_ENV
MANIFEST = "manifest.jsonl"
_CHUNK = 1 << 20


class ArchiveError(Exception):
    """The archive cannot keep or give back a file; the message says which and why."""


@dataclass(frozen=True)
class ArchiveEntry:
    """One receipt: a file of `kind` for results `year` arrived with these bytes."""

    year: int
    kind: str
    sha256: str
    original_path: str
    size_bytes: int
    received_at: str  # ISO 8601, UTC, no offset (the warehouse's convention)
    file_format: str  # csv | xlsx (by suffix: what the bytes are meant to be)
    archived_path: str  # relative to the archive root

    @property
    def received(self) -> datetime:
        return datetime.fromisoformat(self.received_at)


@dataclass(frozen=True)
class ArchiveResult:
    entry: ArchiveEntry
    new_content: bool  # the bytes were not in the archive before
    new_receipt: bool  # a manifest line was appended (False: same content as last time)


def archive_root() -> Path:
    return Path(settings.archive_dir()).resolve()


def blob_path(root: Path, sha256: str, suffix: str) -> Path:
    return root / sha256[:2] / f"{sha256}{suffix.lower()}"


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_file(
    path: Path,
    year: int,
    kind: str,
    root: Path | None = None,
    content_hash: str | None = None,
    received_at: datetime | None = None,
) -> ArchiveResult:
    """Keep `path` in the archive and record its receipt for (year, kind); idempotent.

    `content_hash` (already computed by the reader's inspection) saves a pass when the content
    is archived already; a copy is always verified against the hash while it is written.
    """
    root = root or archive_root()
    path = Path(path)
    suffix = path.suffix.lower()
    file_format = "xlsx" if suffix == ".xlsx" else "csv"
    sha256 = content_hash or file_sha256(path)
    blob = blob_path(root, sha256, suffix)
    received_at = _naive_utc(received_at or _utc_now())
    new_content = not blob.exists()
    try:
        if new_content:
            _store(path, blob, sha256)
            _write_once(
                blob.with_suffix(".json"),
                {
                    "sha256": sha256,
                    "size_bytes": blob.stat().st_size,
                    "suffix": suffix,
                    "file_format": file_format,
                    "first_received_at": received_at.isoformat(),
                    "first_original_path": str(path),
                },
            )
        entry = ArchiveEntry(
            year=year,
            kind=kind,
            sha256=sha256,
            original_path=str(path.resolve()),
            size_bytes=blob.stat().st_size,
            received_at=received_at.isoformat(),
            file_format=file_format,
            archived_path=str(blob.relative_to(root)),
        )
        new_receipt = _append_receipt(root, entry)
    except OSError as error:
        raise ArchiveError(
            f"{path}: could not be kept in the archive {root} ({error}); rule: every landed "
            f"file is archived before it is loaded (set {ARCHIVE_DIR_ENV} to a writable folder)."
        ) from error
    return ArchiveResult(entry, new_content, new_receipt)


def _store(source: Path, blob: Path, sha256: str) -> None:
    """Copy under a temporary name, verifying the hash, then rename: never half a blob."""
    blob.parent.mkdir(parents=True, exist_ok=True)
    partial = blob.with_name(f".{blob.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        if digest.hexdigest() != sha256:
            raise ArchiveError(
                f"{source}: the file changed while it was being archived; deliver it again."
            )
        os.replace(partial, blob)
    finally:
        partial.unlink(missing_ok=True)


def _write_once(path: Path, content: dict[str, object]) -> None:
    if path.exists():
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _append_receipt(root: Path, entry: ArchiveEntry) -> bool:
    """Append unless the last receipt of (year, kind) has the same content. Under an exclusive
    lock, so two processes landing at once cannot both append or interleave lines."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / MANIFEST).open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            last = None
            for line in handle:
                if line.strip():
                    seen = json.loads(line)
                    if seen["year"] == entry.year and seen["kind"] == entry.kind:
                        last = seen["sha256"]
            if last == entry.sha256:
                return False
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            return True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(root: Path | None = None) -> list[ArchiveEntry]:
    """Every receipt, oldest first."""
    manifest = (root or archive_root()) / MANIFEST
    if not manifest.exists():
        return []
    return list(_entries(manifest))


def _entries(manifest: Path) -> Iterator[ArchiveEntry]:
    with manifest.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield ArchiveEntry(**json.loads(line))


def latest_receipts(
    root: Path | None = None, as_of: datetime | None = None
) -> dict[tuple[int, str], ArchiveEntry]:
    """The last receipt of every (year, kind) received at or before `as_of` (default: now)."""
    limit = _naive_utc(as_of) if as_of else None
    latest: dict[tuple[int, str], ArchiveEntry] = {}
    for entry in read_manifest(root):
        if limit is None or entry.received <= limit:
            latest[(entry.year, entry.kind)] = entry  # the manifest is in arrival order
    return latest


def restore_landing(archive_dir: Path, out_dir: Path, as_of: datetime | None = None) -> list[Path]:
    """Rebuild a landing zone: for every (year, kind), the file it held at `as_of` (default: the
    latest receipt), as `<out_dir>/<year>/<kind><suffix>`. Each copy is checked against its hash;
    a file of the same kind with the other suffix is removed, so the folder is unambiguous.
    Returns the files written.
    """
    archive_dir, out_dir = Path(archive_dir), Path(out_dir)
    written = []
    for (year, kind), entry in sorted(latest_receipts(archive_dir, as_of).items()):
        blob = archive_dir / entry.archived_path
        if not blob.exists():
            raise ArchiveError(f"{blob}: archived file of {kind} {year} is missing.")
        if file_sha256(blob) != entry.sha256:
            raise ArchiveError(
                f"{blob}: archived file of {kind} {year} is corrupted (hash differs)."
            )
        target = out_dir / str(year) / f"{kind}{blob.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        for other in target.parent.glob(f"{kind}.*"):
            if other.suffix.lower() in (".csv", ".xlsx") and other != target:
                other.unlink()
        shutil.copyfile(blob, target)
        written.append(target)
    return written
