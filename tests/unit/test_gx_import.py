"""GX imported with scipy.stats and altair deferred: validation and Data Docs never execute them,
and code that reads them gets the real modules."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# A fresh interpreter: this one may have imported scipy.stats already (deferral then does nothing).
SCRIPT = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from nro_pipeline.lib.validate.gx_data_docs import build_data_docs
    from nro_pipeline.lib.validate.gx_suite import ROW_NUMBER, GxSession

    frame = pd.DataFrame({"school_id": ["S1", None], ROW_NUMBER: [2, 3]})
    session = GxSession()
    rule = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "school_id"}}
    result = session.validate(frame, {"name": "schools"}, [rule], {})
    assert not result.success
    build_data_docs(session.context, session.results, "schools", 2024)
    print(*(type(sys.modules[name]).__name__ for name in ("scipy.stats", "altair")))

    from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
    print(round(kl.stats.entropy([0.5, 0.5], [0.9, 0.1]), 4), kl.alt.Chart.__name__)
    import scipy.stats
    print(type(sys.modules["scipy.stats"]).__name__, scipy.stats.entropy is kl.stats.entropy)
    """
)


def test_gx_validates_and_renders_without_scipy_stats_or_altair(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        env={"NRO_GX_DOCS_DIR": str(tmp_path), "PATH": "", "GX_ANALYTICS_ENABLED": "false"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # KL divergence of (½, ½) from (0.9, 0.1): ½ ln(½/0.9) + ½ ln(½/0.1) = 0.5108
    assert done.stdout.split("\n")[:3] == [
        "DeferredModule DeferredModule",
        "0.5108 Chart",
        "module True",
    ]
