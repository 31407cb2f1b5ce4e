"""The dbt models keep one SQL style: sqlfluff (jinja templater, dbt_project/.sqlfluff) finds nothing.

The same check as `sqlfluff lint dbt_project/models` from the repository root, run in-process.
The jinja templater renders the models with the project's macros and stand-ins for dbt's
builtins; sqlfluff's dbt templater would need a live dbt connection, so it is not used.
"""

from __future__ import annotations

from pathlib import Path

from sqlfluff.core import FluffConfig, Linter

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _linter() -> Linter:
    return Linter(config=FluffConfig.from_path(str(DBT_PROJECT)))


def test_every_model_passes_sqlfluff() -> None:
    result = _linter().lint_paths((str(DBT_PROJECT / "models"),), processes=1)
    problems = [
        f"{Path(record['filepath']).relative_to(DBT_PROJECT)}:{v['start_line_no']}: "
        f"{v['code']} {v['description']}"
        for record in result.as_records()
        for v in record["violations"]
    ]
    assert result.stats(0, 0)["files"] >= 30  # the models were found, not an empty folder
    assert not problems, "\n".join(problems)


def test_the_project_config_is_the_one_applied() -> None:
    """Upper-case keywords and a one-line select list break the project's style; a model written
    the project's way passes — so the test above cannot pass on a config that checks nothing."""
    linter = _linter()
    bad = linter.lint_string("SELECT school_id, year FROM {{ ref('stg_schools') }}\n")
    good = linter.lint_string(
        "with\n\nschools as (\n\n    select * from {{ ref('stg_schools') }}\n\n),\n\n"
        "final as (\n\n    select\n        school_id,\n        year\n\n    from schools\n\n)\n\n"
        "select * from final\n"
    )
    assert {"CP01", "LT09"} <= {v.rule_code() for v in bad.get_violations()}
    assert [v.rule_code() for v in good.get_violations()] == []
