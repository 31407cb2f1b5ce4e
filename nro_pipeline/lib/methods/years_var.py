"""The dbt var `years` as dbt Python models receive it (rendered into config), read once for all."""

import ast
from typing import Any


def parse_years(value: Any) -> list[int] | None:
    """Var ``years`` as rendered into config: None/''/'None' → None (all years); a list, a number
    or a comma-separated string → list of ints (same semantics as the ``years_filter`` macro)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    if isinstance(value, (int, float)):
        return [int(value)]
    text = str(value).strip()
    if text in ("", "None", "none", "null", "[]"):
        return None if text != "[]" else []
    if text.startswith("["):
        return [int(v) for v in ast.literal_eval(text)]
    return [int(v) for v in text.split(",") if v.strip()]


def year_predicate(years: list[int] | None) -> str:
    """SQL predicate on `year` for these years (`true` for all): the years_filter macro's twin."""
    return "true" if years is None else f"year in ({', '.join(map(str, years)) or 'null'})"
