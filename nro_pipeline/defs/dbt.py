"""The dbt project as Dagster assets: staging, intermediate and mart models, seeds and dbt tests.

One `dbt build` per run covers every results year of the run (`context.partition_keys` → dbt var
`years`); the incremental models rebuild exactly those years.
"""

import fcntl
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging.version import Version

from nro_pipeline import settings
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = Path(project.project_dir)
    return (
        any(
            path.stat().st_mtime > built
            for folder in ("models", "seeds", "macros", "tests")
            for path in (sources / folder).rglob("*")
            if path.is_file()
        )
        or (sources / "dbt_project.yml").stat().st_mtime > built
    )


def prepare_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project when its manifest is missing or older than the sources.

    A lock file serialises processes that load the definitions at the same time (parallel tests,
    `dagster dev` beside `nro run`), so none reads a half-written manifest.
    """
    target = project.manifest_path.parent  # project.target_path is relative to the project
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _manifest_is_stale(project):
            NroDbtCliResource(project_dir=project, dbt_executable=settings.DBT_EXECUTABLE).cli(
                ["parse", "--quiet"], target_path=target
            ).wait()
    return project.manifest_path


def run_target_path() -> Path:
    """Where `dbt build` writes its artifacts: one stable folder keeps dbt's partial parsing
    between runs (runs of one warehouse never overlap: pool nro_warehouse); NRO_DBT_TARGET_DIR
    separates pipelines that run side by side on other warehouses (e.g. parallel tests)."""
    return settings.dbt_target_dir()


class NroDbtCliResource(DbtCliResource):
    """Two start-up costs of dagster-dbt that this project does not need, paid by every run.

    - It asks `dbt --version` before every command, which takes seconds and looks up the latest
      release online; the installed dbt-core's version is the answer, offline.
    - It opens a dbt adapter in this process (profile, 500 macros: 2–3 s) only to fetch row counts
      and column metadata afterwards, which the assets never request; without one, dagster-dbt
      simply skips those."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


class NroDbtTranslator(DagsterDbtTranslator):
    """Keys `<schema>/<name>` and groups by layer, so the UI reads landing → raw → staging → marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


class DbtVarsConfig(dg.Config):
    """Methodology parameters for this run, on top of dbt_project.yml (e.g. persistence_years: 2)."""

    vars_json: str = "{}"


def dbt_vars(years: list[int], overrides_json: str) -> dict[str, Any]:
    overrides = json.loads(overrides_json or "{}")
    return {**overrides, "years": years}


@dbt_assets(
    manifest=prepare_manifest(),
    project=dbt_project,
    partitions_def=results_year_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=NroDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    pool=settings.WAREHOUSE_POOL,
)
def nro_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: NroDbtCliResource,
    warehouse: WarehouseResource,
    config: DbtVarsConfig,
) -> Iterator[Any]:
    years = sorted(int(key) for key in context.partition_keys)
    # dbt's profile reads the warehouse path from the environment of its subprocess.
    settings.export_warehouse_path(warehouse.path)
    variables = dbt_vars(years, config.vars_json)
    context.log.info(f"dbt build for results years {years} with vars {variables}")
    # Unit tests check the methodology, not the data: pytest runs them once (tests/test_dbt_unit_tests.py),
    # production runs skip them.
    yield from dbt.cli(
        ["build", "--vars", json.dumps(variables), "--exclude-resource-type", "unit_test"],
        context=context,
        target_path=run_target_path(),
    ).stream()
