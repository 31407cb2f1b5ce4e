"""What GX does with a frame in `GxSession`: the verdict, without hashing every row first."""

from __future__ import annotations

import pandas as pd

from nro_pipeline.lib.validate.gx_suite import ROW_NUMBER, GxSession

NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "school_id"}}


def test_a_frame_is_validated_without_gx_fingerprinting_its_rows() -> None:
    """GX would hash the whole frame (a third of its time on a national GIA file) for a batch marker
    nothing reads; the verdict and the offending row stay GX's own."""
    frame = pd.DataFrame({"school_id": ["S1", None, "S3"], ROW_NUMBER: [2, 3, 4]})
    result = GxSession().validate(frame, {"name": "schools"}, [NOT_NULL], {})

    assert "pandas_data_fingerprint" not in result.meta["batch_markers"]
    assert not result.success
    [item] = result.results
    assert item.result["unexpected_count"] == 1
    assert [entry[ROW_NUMBER] for entry in item.result["unexpected_index_list"]] == [3]
