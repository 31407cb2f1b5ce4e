"""`nro calibrate-isbsh --year Y --out FILE.yml`: fix year Y's ISBSh scale in a preset.

The preset holds year Y's weights (`isbsh_weights_fitted`) with Y's feature means and standard
deviations (`int_isbsh_features`) as seed rows of `isbsh_weights`, `isbsh_method: fixed`,
`social_status_method: threshold`, and as the thresholds the largest ISBSh of quintile 1 and the
smallest of quintile 5 of Y (`mart_isbsh`). Run with it, year Y has exactly the statuses it has
under quintiles, and every other year is measured on Y's scale, so that the number of schools in
unfavourable conditions can fall (docs/methodology.md, «Варианты методики и пресеты»).

The warehouse is only read. Numbers are written as Python's shortest exact form of each double,
so the run reads back the very values the warehouse holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from nro_pipeline.lib.contract.presets import NAME


class CalibrationError(RuntimeError):
    """Why no preset could be written, in plain words."""


@dataclass(frozen=True)
class Calibration:
    year: int
    weights: list[dict[str, Any]]  # feature, weight, mean, sd
    unfavourable_max: float
    favourable_min: float
    weights_method: str

    def preset(self, name: str, warehouse: Path) -> dict[str, Any]:
        return {
            "name": name,
            "region": f"Шкала ИСБШ {self.year} года (nro calibrate-isbsh)",
            "source": (
                f"Веса ИСБШ ({self.weights_method}), средние и стандартные отклонения признаков "
                f"{self.year} года и границы его квинтилей 1 и 5 как пороги статуса, записанные "
                f"из {warehouse} {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: число школ в "
                "неблагоприятных социальных условиях в другие годы — на шкале этого года."
            ),
            "parameters": {
                "isbsh_method": "fixed",
                "social_status_method": "threshold",
                "isbsh_unfavourable_max": self.unfavourable_max,
                "isbsh_favourable_min": self.favourable_min,
            },
            "seeds": {"isbsh_weights": self.weights},
        }


def calibrate(con: duckdb.DuckDBPyConnection, year: int) -> Calibration:
    weights = con.execute(
        """
        select w.feature, w.weight, f.feature_mean, f.feature_sd, w.method
        from marts.isbsh_weights_fitted as w
        inner join (
            select distinct feature, feature_order, feature_mean, feature_sd
            from intermediate.int_isbsh_features where year = $year and is_used
        ) as f on f.feature = w.feature
        where w.year = $year and w.feature <> 'intercept'
        order by f.feature_order
        """,
        {"year": year},
    ).fetchall()
    if not weights:
        raise CalibrationError(f"no ISBSh weights for {year} in the warehouse: run that year first")
    bounds = con.execute(
        """
        select max(isbsh) filter (where isbsh_quintile = 1),
               min(isbsh) filter (where isbsh_quintile = 5)
        from marts.mart_isbsh where year = $year
        """,
        {"year": year},
    ).fetchone()
    if bounds is None or bounds[0] is None or bounds[1] is None:
        raise CalibrationError(f"no ISBSh quintiles 1 and 5 for {year} in the warehouse")
    return Calibration(
        year=year,
        weights=[
            {"feature": f, "weight": float(w), "mean": float(m), "sd": float(sd)}
            for f, w, m, sd, _ in weights
        ],
        unfavourable_max=float(bounds[0]),
        favourable_min=float(bounds[1]),
        weights_method=str(weights[0][4]),
    )


def preset_name(out: Path, year: int) -> str:
    name = re.sub(r"[^\w.-]", "_", out.stem)
    return name if NAME.match(name) else f"isbsh_{year}"


def write_calibration(warehouse: Path, year: int, out: Path) -> str:
    """Write the preset; return what was written, in one line."""
    if not warehouse.is_file():
        raise CalibrationError(f"no warehouse at {warehouse}: run `nro run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = calibrate(con, year)
    out.parent.mkdir(parents=True, exist_ok=True)
    name = preset_name(out, year)
    header = (
        f"# Written by `nro calibrate-isbsh --year {year}`: year {year}'s ISBSh scale, fixed.\n"
        f"# Use it with `nro run --preset {out}` (docs/methodology.md).\n"
    )
    body = yaml.safe_dump(
        found.preset(name, warehouse), allow_unicode=True, sort_keys=False, width=100
    )
    out.write_text(header + body, encoding="utf-8")
    return (
        f"Preset {name!r} written to {out}: {len(found.weights)} features of {year}, "
        f"unfavourable when ISBSh <= {found.unfavourable_max:.6g}, favourable when "
        f">= {found.favourable_min:.6g}"
    )
