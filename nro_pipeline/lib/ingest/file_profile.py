"""What the reader found out about a landing file: recorded with every load as lineage metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nro_pipeline.lib.contract.file_kinds import normalise_label

# Headers of an unknown column that says which year the rows belong to (normalised).
YEAR_HEADERS = frozenset(
    {
        "year",
        "results year",
        "school year",
        "год",
        "учебный год",
        "год проведения",
        "год результатов",
    }
)
DELIMITERS = (";", "\t", ",")
DELIMITER_NAMES = {"\t": "tab", ";": "';'", ",": "','"}


@dataclass
class FileProfile:
    """What the reader found out about a file: recorded with every load as lineage metadata."""

    path: Path
    content_hash: str
    size_bytes: int
    file_format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # canonical name → position
    extra_columns: dict[str, int] = field(default_factory=dict)  # header as given → position
    # The file's row that holds the header: 1, or lower when title rows come first (exports).
    header_row: int = 1

    @property
    def year_columns(self) -> list[str]:
        """Unknown columns that state the year of the data (checked against the year folder)."""
        return [h for h in self.extra_columns if normalise_label(h) in YEAR_HEADERS]

    def describe(self) -> str:
        where = f", header in row {self.header_row}" if self.header_row != 1 else ""
        if self.file_format == "xlsx":
            return f"XLSX (first sheet){where}"
        return f"CSV, {self.encoding}, delimiter {DELIMITER_NAMES[self.delimiter or ',']}{where}"
