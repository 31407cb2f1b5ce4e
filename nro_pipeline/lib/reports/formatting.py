"""How the officials' outputs write values: one home for the workbook, the report and the site.

A `Column` declares a Russian header, the SQL giving its value and how to show it; the XLSX sheets
and the HTML tables are built from the same declarations, so both speak the same words. Numbers use
the Russian decimal comma and a real minus sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

YES, NO, NO_DATA = "да", "нет", "нет данных"
DASH = "—"


def russian_number(value: float, decimals: int) -> str:
    """Decimal comma and a real minus sign; a value that rounds to zero shows no sign."""
    text = f"{value:.{decimals}f}"
    if text[0] == "-":  # the only minus of a fixed-point number; positive ones skip the checks
        text = text[1:] if float(text) == 0 else "−" + text[1:]
    return text.replace(".", ",")


def fmt_share(value: float | None, decimals: int = 1) -> str:
    return DASH if value is None else russian_number(value * 100, decimals) + " %"


def fmt_number(value: float | None, decimals: int = 2) -> str:
    return DASH if value is None else russian_number(value, decimals)


def fmt_interval(lower: float | None, upper: float | None) -> str:
    """A Wilson interval of a share, as officials read it: «12,0–31,5 %»."""
    if lower is None or upper is None:
        return DASH
    return f"{russian_number(lower * 100, 1)}–{russian_number(upper * 100, 1)} %"


_NUMERIC = re.compile(r"—|[−-]?\d[\d ]*(,\d+)?( %)?")


def is_numeric_text(text: str) -> bool:
    """Cells holding a formatted number are right-aligned in the tables."""
    return bool(_NUMERIC.fullmatch(text))


@dataclass(frozen=True)
class Column:
    """One table column: its Russian header, the SQL giving its value and how to show it."""

    header: str
    sql: str
    decimals: int | None = None  # a number shown with this many decimals
    percent: bool = False  # a 0..1 share shown as a percentage
    yes_no: bool = False  # a BOOLEAN shown as «да»/«нет» (null: «нет данных»)
    max_width: int = 40  # long text wraps at this width instead of widening the sheet
    # SQL giving text shown in place of the value when it is not null (the public edition's «с»
    # and «< 5 %»), so a shown figure stays a number in the workbook
    marker: str = ""

    def display(self, value: Any) -> Any:
        """The value as the cell holds it: words for flags, numbers stay numbers (codes are
        labelled in the column's SQL, from marts.dim_code_labels)."""
        if self.yes_no:
            return NO_DATA if value is None else (YES if value else NO)
        return value

    def excel_format(self) -> str:
        if self.percent:
            return "0.0%"
        if self.decimals is not None:
            return "0" if self.decimals == 0 else "0." + "0" * self.decimals
        return "General"

    def text(self, value: Any) -> str:
        """The value as plain text (HTML tables): Russian decimal comma, empty for null."""
        shown = self.display(value)
        if shown is None:
            return ""
        if isinstance(shown, float | int) and not isinstance(shown, bool):
            if self.percent:
                return russian_number(shown * 100, 1) + " %"
            if self.decimals is not None:
                return russian_number(shown, self.decimals)
        return str(shown)
