"""`nro run --var`: every parameter is checked before anything runs (exit 2, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nro_pipeline.cli import main
from nro_pipeline.lib.contract.parameters import (
    PARAMETERS,
    RUN_MANAGED,
    dbt_defaults,
    parameter_problems,
)


def test_every_dbt_var_has_a_range_and_every_range_a_var() -> None:
    assert set(dbt_defaults()) - set(PARAMETERS) == set()
    spec_only = set(PARAMETERS) - set(dbt_defaults()) - RUN_MANAGED
    # New parameters are ranged before their models land; none may linger without a var after.
    assert spec_only <= {
        "criterion2_mode",
        "flag_confidence_level",
        "similar_schools_count",
        "benchmark_low",
        "benchmark_high",
        "objectivity_excess",
        "objectivity_gap",
        "objectivity_jump",
    }


def test_every_default_is_within_its_range() -> None:
    assert parameter_problems(dict(dbt_defaults())) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"persistance_years": 2}, "unknown parameter 'persistance_years'"),
        ({"persistence_years": 0}, "persistence_years=0 is out of range: int in [1, 20]"),
        ({"low_share_threshold": 1.5}, "low_share_threshold=1.5 is out of range: number in (0, 1]"),
        ({"low_share_threshold": 0}, "low_share_threshold=0 is out of range"),
        ({"min_participants": "five"}, "min_participants='five' must be a number"),
        ({"min_participants": 2.5}, "min_participants=2.5 must be a whole number"),
        ({"isbsh_method": "median"}, "isbsh_method='median' must be one of ols, fixed"),
        ({"partner_capacity": True}, "partner_capacity=True must be a number"),
        ({"exit_years": 0}, "exit_years=0 is out of range: int in [1, ∞]"),
        ({"exit_min_gain": 1.5}, "exit_min_gain=1.5 is out of range: number in [0, 1]"),
        ({"escalation_years": 0}, "escalation_years=0 is out of range: int in [1, ∞]"),
        ({"outcome_horizon_years": 11}, "outcome_horizon_years=11 is out of range: int in [1, 10]"),
        ({"outcome_matches": 0}, "outcome_matches=0 is out of range: int in [1, ∞]"),
        (
            {"result_level_low": 0.8, "result_level_high": 0.7},
            "result_level_low (0.8) must not exceed result_level_high (0.7)",
        ),
    ],
)
def test_each_rule_names_the_parameter_and_its_range(overrides: dict, message: str) -> None:
    problems = parameter_problems(overrides)
    assert any(message in problem for problem in problems), problems


def test_nro_run_refuses_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "wh" / "nro.duckdb"
    code = main(
        [
            "run",
            "--warehouse",
            str(warehouse),
            "--landing",
            str(tmp_path),
            "--var",
            "persistance_years=2",
            "--var",
            "low_share_threshold=1.5",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown parameter 'persistance_years'" in err
    assert "low_share_threshold=1.5 is out of range" in err
    assert "Known parameters" in err and "persistence_years" in err and "default 5" in err
    assert not (tmp_path / "wh").exists()
