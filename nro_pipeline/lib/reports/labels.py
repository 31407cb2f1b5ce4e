"""Russian words for the coded values of the marts, read from their one home, `marts.dim_code_labels`.

The labels are written once, in the dbt seed `code_labels` (domain, code, label_ru, sort_order),
which the BI views use too; the reports either label in SQL (`label_sql`, in a sheet's column) or
load a domain's labels as a dict (`load_labels`) where Python shows the value.
"""

from __future__ import annotations

import duckdb

LABELS_TABLE = "marts.dim_code_labels"

# The signal columns of marts.mart_vpr_objectivity, in reading order; each is also a code of the
# seed's domain `objectivity_signal`, which says it in words.
OBJECTIVITY_SIGNALS = ("high_marks_excess", "not_confirmed_by_oge", "sharp_improvement")


def label_sql(domain: str, value_sql: str) -> str:
    """SQL giving the Russian label of a coded value (the code itself if the seed lacks it, so a
    new code shows up rather than vanishing; the seed's tests keep that from happening)."""
    return (
        f"coalesce((select l.label_ru from {LABELS_TABLE} l where l.domain = '{domain}' "
        f"and l.code = {value_sql}), {value_sql})"
    )


def signals_sql(alias: str) -> str:
    """SQL giving the objectivity signals raised in a row of mart_vpr_objectivity (`alias`), in
    words separated by «; », or null when none is raised."""
    parts = ", ".join(
        f"case when {alias}.{signal} then {label_sql('objectivity_signal', repr(signal))} end"
        for signal in OBJECTIVITY_SIGNALS
    )
    return f"nullif(concat_ws('; ', {parts}), '')"


def load_labels(con: duckdb.DuckDBPyConnection, domain: str) -> dict[str, str]:
    """The domain's labels by code, in the seed's order (empty if the domain is unknown)."""
    rows = con.execute(
        f"select code, label_ru from {LABELS_TABLE} where domain = ? order by sort_order, code",
        [domain],
    ).fetchall()
    return dict(rows)


def label_of(labels: dict[str, str], code: str | None, missing: str = "—") -> str:
    """A code's label for a page; a code the seed lacks shows as itself, no value as `missing`."""
    if code is None:
        return missing
    return labels.get(code, code)
