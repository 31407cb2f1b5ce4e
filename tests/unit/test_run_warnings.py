"""`nro run`'s Summary repeats the warnings of a build over several years under the year whose
landing folder each names (a register's decision without effect), so none is only scrolled past."""

from __future__ import annotations

import os

from nro_pipeline.commands.run import YearOutcome, _attribute_warnings


def test_a_build_warning_goes_to_the_year_it_names_else_to_the_last() -> None:
    built = [YearOutcome(2023), YearOutcome(2024)]
    register = os.path.join("landing", "2024", "support_register.xlsx")
    named_2024 = f"{register}: row 3: school_id=T_LEFT, decision=confirm (подтвердить) — …"
    named_2023 = f"{register.replace('2024', '2023')}: row 5: partner ignored"
    unnamed = "a check of the build warned"
    _attribute_warnings([named_2024, named_2023, unnamed], built)
    assert built[0].warnings == [named_2023]
    assert built[1].warnings == [named_2024, unnamed]
    assert all(outcome.passed for outcome in built)  # warnings never block
