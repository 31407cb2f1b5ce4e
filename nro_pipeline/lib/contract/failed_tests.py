"""What stopped a dbt build, in plain words, from its run_results.json.

A model's row-level rules are one dbt test (`row_rules`, dbt_project/tests/generic), whose rows
are the rules broken and how many rows break each. dbt only reports how many rules failed, so the
test's compiled query is run again here, on the file dbt built, to name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

MESSAGE_CHARS = 200


def is_row_rules_test(node: Mapping[str, Any]) -> bool:
    """A manifest node of the generic test `row_rules`."""
    return (node.get("test_metadata") or {}).get("name") == "row_rules"


def describe_failures(
    results: list[dict[str, Any]], database: Path | None, nodes: Mapping[str, Any]
) -> list[str]:
    """One line per dbt node that errored or failed; a failed `row_rules` test (told by its
    manifest node, of `nodes`) lists its broken rules with their row counts (read from
    `database`, the file the build wrote)."""
    lines = []
    for result in results:
        if result["status"] not in ("error", "fail"):
            continue
        name = result["unique_id"].split(".")[2]
        message = (result.get("message") or "").strip()[:MESSAGE_CHARS]
        broken = (
            broken_rules(database, result.get("compiled_code") or "")
            if result["status"] == "fail"
            and is_row_rules_test(nodes.get(result["unique_id"], {}))
            and database
            else []
        )
        if broken:
            rules = "; ".join(f"«{rule}» — {rows} row{'s' * (rows != 1)}" for rule, rows in broken)
            lines.append(f"{name} (rules broken: {rules})")
        else:
            lines.append(f"{name} ({result['status']}: {message})")
    return lines


def broken_rules(database: Path, compiled_sql: str) -> list[tuple[str, int]]:
    """The (rule, failing rows) a row_rules test's query returns; empty if it cannot be re-run
    (the message then falls back to dbt's own)."""
    if not compiled_sql.strip() or not database.exists():
        return []
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(compiled_sql).fetchall()
    except duckdb.Error:
        return []
    return [(str(rule), int(count)) for rule, count in rows]
