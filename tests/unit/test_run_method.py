"""The method a run of the dbt models uses, as the UI's launchpad sets it: a preset, then vars."""

from __future__ import annotations

import dagster as dg
import pytest

from nro_pipeline.defs.dbt.assets import DbtVarsConfig, method_of_run


def test_a_preset_chosen_in_the_launchpad_gives_its_vars_and_the_vars_win() -> None:
    method = method_of_run(
        DbtVarsConfig(preset="izhevsk", vars_json='{"criterion1_min_procedures": 2}')
    )
    assert method["preset"] == "izhevsk"
    assert method["partner_pool"] == "resilient"
    assert method["selection_procedures"] == ["VPR_math_4", "VPR_rus_4", "OGE_math", "OGE_rus"]
    assert method["criterion1_min_procedures"] == 2  # the run's own var over the preset's 1


def test_no_preset_is_the_projects_defaults() -> None:
    assert method_of_run(DbtVarsConfig()) == {}


@pytest.mark.parametrize(
    ("config", "said"),
    [
        (DbtVarsConfig(preset="no_such_region"), "no_such_region"),
        (DbtVarsConfig(vars_json='{"partner_pool": "anyone"}'), "partner_pool"),
        (DbtVarsConfig(vars_json="{not json"), "Expecting property name"),
    ],
)
def test_a_method_that_cannot_run_is_refused_in_plain_words(
    config: DbtVarsConfig, said: str
) -> None:
    with pytest.raises(dg.Failure) as refused:
        method_of_run(config)
    assert said in str(refused.value.description)
