"""`nro register-template --year Y [--out FILE.xlsx]`: the region's register of decisions to fill
in (docs/methodology.md, «Решения региона»), written from the year's marts."""

from __future__ import annotations

import sys
from pathlib import Path

from nro_pipeline import settings
from nro_pipeline.lib.reports.register_template import write_template
from nro_pipeline.lib.reports.warehouse import ExportError


def default_path(year: int) -> Path:
    """Beside the workbooks, not in the landing zone: an unfilled register would be refused."""
    return settings.exports_dir() / f"support_register_{year}.xlsx"


def register_template(year: int, out: Path | None) -> int:
    try:
        template = write_template(settings.warehouse_path(), year, out or default_path(year))
    except ExportError as error:
        print(f"nro register-template: {error}", file=sys.stderr)
        return 1
    print(f"Register written to {template.describe()}")
    return 0
