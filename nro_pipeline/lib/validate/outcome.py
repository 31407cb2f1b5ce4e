"""What a validation run found, in plain words: broken rules with their rows, and warnings.

A rule is blocking (GX severity `critical`, the default) or a warning (severity `warning` in the
suite): a warning's rows are loaded as they are and the run only says so (file, row and rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_ROWS_IN_MESSAGE = 10


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    rows: list[int]
    unexpected_count: int
    values: dict[int, str] = field(default_factory=dict)  # row → offending values, every row
    table_level: bool = False  # about the file as a whole: never quarantined, always blocks
    warning: bool = False  # a rule of severity `warning`: said, never blocks nor quarantines

    def describe(self, source_file: str) -> str:
        said = "is not met" if self.warning else "is broken"
        if not self.rows or self.table_level:
            return f"{source_file}: rule «{self.rule}» {said}."
        shown = [
            f"{row} ({self.values[row]})" if row in self.values else str(row)
            for row in self.rows[:MAX_ROWS_IN_MESSAGE]
        ]
        count = self.unexpected_count
        where = f"row {shown[0]}" if count == 1 else f"{count} rows: {', '.join(shown)}"
        if count > len(shown):
            where += f" and {count - len(shown)} more"
        loaded = "; warning only: the row is loaded" if count == 1 else "; warning only: loaded"
        return (
            f"{source_file}: rule «{self.rule}» {said} in {where}{loaded if self.warning else ''}."
        )


@dataclass(frozen=True)
class ValidationOutcome:
    kind: str
    year: int
    source_file: str
    rows: int
    expectations_run: int
    failures: list[RuleFailure]  # blocking rules only
    content_hash: str = ""
    hidden: dict[int, set[str]] = field(default_factory=dict)  # row → columns never to show
    data_docs: Path | None = None  # the GX Data Docs page of this run
    warnings: list[RuleFailure] = field(default_factory=list)  # rules of severity `warning`

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def table_failures(self) -> list[RuleFailure]:
        return [f for f in self.failures if f.table_level]

    @property
    def row_failures(self) -> list[RuleFailure]:
        return [f for f in self.failures if not f.table_level]

    @property
    def rejected_rows(self) -> set[int]:
        """Rows that break at least one row-level rule (the rows quarantine holds)."""
        return {row for f in self.row_failures for row in f.rows}

    def warning_lines(self) -> list[str]:
        return [w.describe(self.source_file) for w in self.warnings]

    def message(self) -> str:
        if self.success:
            passed = f"{self.source_file}: {self.rows} rows pass all {self.expectations_run} rules."
            if self.warnings:
                passed = (
                    f"{self.source_file}: {self.rows} rows pass every blocking rule "
                    f"({self.expectations_run} rules run)."
                )
            return "\n".join([passed, *self.warning_lines()])
        return "\n".join(f.describe(self.source_file) for f in self.failures + self.warnings)
