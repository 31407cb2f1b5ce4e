"""Presets: a region's whole method in one readable YAML file (`nro run --preset NAME|FILE`).

A preset names its region and the words of the region's document it follows, and holds
methodology parameters (dbt vars, the names of dbt_project.yml) and seed rows. Seed rows reach dbt
as vars, so that a preset never edits the project's seed files:

- `seeds.procedures`: rows `{procedure_id, in_selection}` — the selection procedures become those
  with `in_selection: true` (var `selection_procedures`), every other procedure is out of it;
- `seeds.isbsh_weights`: rows `{feature, weight, mean, sd}` — the fixed ISBSh weights and scale
  (var `isbsh_fixed_weights`; `nro calibrate-isbsh` writes them).

The run's vars are the preset's, then each `--var` over them (`run_vars`); the preset's name is
the var `preset`, which `mart_low_results.rule_set` and the «Методика» sheet state. The variants
and presets are described in docs/methodology.md («Варианты методики и пресеты»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nro_pipeline import settings

PRESETS_DIR = settings.PROJECT_ROOT / "presets"
NAME = re.compile(r"^[\w.-]+$")
SEED_VARS = {"procedures": "selection_procedures", "isbsh_weights": "isbsh_fixed_weights"}
WEIGHT_COLUMNS = ("feature", "weight", "mean", "sd")


class PresetError(ValueError):
    """A preset that cannot be read: said in plain words, naming the file."""


@dataclass(frozen=True)
class Preset:
    name: str
    path: Path
    region: str = ""
    source: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    seeds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def dbt_vars(self) -> dict[str, Any]:
        """The preset as dbt vars: its parameters, its seed rows, its name."""
        found = dict(self.parameters)
        for seed, rows in self.seeds.items():
            found[SEED_VARS[seed]] = seed_rows_as_var(seed, rows, self.path)
        found["preset"] = self.name
        return found


def available_presets() -> list[str]:
    """The names of the presets in the repository (presets/*.yml)."""
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yml"))


def preset_path(name_or_file: str) -> Path:
    """A file as given, or `presets/<name>.yml` of the repository."""
    candidate = Path(name_or_file).expanduser()
    if candidate.suffix in (".yml", ".yaml") or candidate.is_file() or "/" in name_or_file:
        return candidate
    return PRESETS_DIR / f"{name_or_file}.yml"


def load_preset(name_or_file: str) -> Preset:
    path = preset_path(name_or_file)
    if not path.is_file():
        known = ", ".join(available_presets()) or "none"
        raise PresetError(f"no preset {name_or_file!r} ({path} not found; presets: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise PresetError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise PresetError(
            f"{path}: a preset is a mapping (name, region, source, parameters, seeds)"
        )
    unknown = set(data) - {"name", "region", "source", "parameters", "seeds"}
    if unknown:
        raise PresetError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    name = str(data.get("name") or path.stem)
    if not NAME.match(name):
        raise PresetError(f"{path}: the name {name!r} may hold letters, digits, '.', '-', '_' only")
    parameters = data.get("parameters") or {}
    seeds = data.get("seeds") or {}
    if not isinstance(parameters, dict) or not isinstance(seeds, dict):
        raise PresetError(f"{path}: parameters and seeds are mappings")
    unknown_seeds = set(seeds) - set(SEED_VARS)
    if unknown_seeds:
        raise PresetError(
            f"{path}: seed rows of {', '.join(sorted(unknown_seeds))} cannot be given in a preset "
            f"(only {', '.join(SEED_VARS)})"
        )
    clash = {SEED_VARS[seed] for seed in seeds} & set(parameters)
    if clash:
        raise PresetError(
            f"{path}: {', '.join(sorted(clash))} given both as parameter and seed rows"
        )
    return Preset(
        name=name,
        path=path,
        region=str(data.get("region") or ""),
        source=str(data.get("source") or "").strip(),
        parameters=dict(parameters),
        seeds={seed: list(rows or []) for seed, rows in seeds.items()},
    )


def seed_rows_as_var(seed: str, rows: list[dict[str, Any]], path: Path) -> Any:
    """Seed rows as the value of their var (see the module's docstring)."""
    if not all(isinstance(row, dict) for row in rows):
        raise PresetError(f"{path}: the rows of seed {seed} are mappings")
    if seed == "procedures":
        if any("procedure_id" not in row or "in_selection" not in row for row in rows):
            raise PresetError(f"{path}: each procedures row has procedure_id and in_selection")
        return [str(row["procedure_id"]) for row in rows if row["in_selection"] is True]
    return [{column: row.get(column) for column in WEIGHT_COLUMNS} for row in rows]


def run_vars(preset: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The vars of a run: the preset's (if any), then the `--var` overrides, which win."""
    found = load_preset(preset).dbt_vars() if preset else {}
    return {**found, **overrides}
