"""The dbt project as Dagster assets: staging, intermediate and mart models, seeds and dbt tests.

One `dbt build` per run covers every results year of the run (`context.partition_keys`, written to
`meta.dbt_run_years` for dbt's `years_filter`); the incremental models rebuild exactly those years. dbt writes the run's working copy of
the warehouse (the var `warehouse_file`, read by profiles.yml). When Dagster splits a selection into
several dbt invocations (a backfill does), indirect selection `cautious` keeps each invocation to
the tests of the models it built (settings.py sets DBT_INDIRECT_SELECTION).
"""

import fcntl
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging.version import Version
from pydantic import Field

from nro_pipeline import settings
from nro_pipeline.defs.partitions import results_year_partitions
from nro_pipeline.defs.resources import WarehouseResource
from nro_pipeline.defs.year_checks import with_year_verdicts
from nro_pipeline.lib.contract.failed_tests import describe_failures, is_row_rules_test
from nro_pipeline.lib.contract.parameters import dbt_defaults, parameter_problems
from nro_pipeline.lib.contract.presets import PresetError, run_vars
from nro_pipeline.lib.methods.years_var import RUN_TABLE, write_run_years
from nro_pipeline.lib.process_memory import release_unused_memory
from nro_pipeline.lib.publish.freshness import record_year_builds

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


class NroDbtCliResource(DbtCliResource):
    """Two start-up costs of dagster-dbt that this project does not need, paid by every run.

    - It asks `dbt --version` before every command, which takes seconds and looks up the latest
      release online; the installed dbt-core's version is the answer, offline.
    - It opens a dbt adapter in this process (profile, 500 macros: seconds) only to fetch row counts
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

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The model's Russian description alone (dagster-dbt would append its raw SQL)."""
        return dbt_resource_props.get("description") or f"dbt: {dbt_resource_props['name']}"

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dbt tests as checks partitioned by results year, like the models they test; a model's
        `row_rules` check lists its rules, which the UI otherwise would not show."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        rules = row_rules_of(manifest["nodes"].get(unique_id, {}))
        if rules and not spec.description:
            spec = spec._replace(description=rules)
        return spec._replace(partitions_def=results_year_partitions)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


def row_rules_of(test_node: Mapping[str, Any]) -> str:
    """A `row_rules` test's rules as its YAML states them, one per line; '' for other tests."""
    if not is_row_rules_test(test_node):
        return ""
    rules = test_node["test_metadata"].get("kwargs", {}).get("rules") or []
    heading = (
        "Правила строк модели, одна проверка dbt (row_rules); "
        "where — к каким строкам относится правило:"
    )
    lines = ["- " + ", ".join(f"{key}: {value}" for key, value in rule.items()) for rule in rules]
    return "\n".join([heading, *lines])


class DbtVarsConfig(dg.Config):
    """The method of this run, on top of dbt_project.yml: a region's preset and parameters over it.
    In the UI's launchpad: `preset: izhevsk`, `vars_json: '{"persistence_years": 2}'`."""

    preset: str = Field(
        default="", description="presets/NAME.yml (e.g. izhevsk, zernograd) or a preset file"
    )
    vars_json: str = Field(default="{}", description="parameters as JSON; they win over the preset")


# The run tag that says which preset a run's marts were built with.
PRESET_TAG = "nro/preset"


def method_of_run(config: DbtVarsConfig) -> dict[str, Any]:
    """The run's methodology vars: the preset's, then the overrides; refused in plain words when
    the preset cannot be read or a parameter is out of its range."""
    try:
        overrides = run_vars(config.preset or None, json.loads(config.vars_json or "{}"))
    except (PresetError, json.JSONDecodeError) as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    problems = parameter_problems(overrides)
    if problems:
        raise dg.Failure(description="; ".join(problems), allow_retries=False)
    return overrides


def dbt_vars(overrides: dict[str, Any], database: Path) -> dict[str, Any]:
    """The run's vars: its method, `years` read from the table the run writes first (the same
    vars every run, so dbt's partial parse survives; lib/methods/years_var.py), and the file dbt
    writes, the run's working copy (`warehouse_file`, read by profiles.yml)."""
    return {**overrides, "years": RUN_TABLE, "warehouse_file": str(database)}


# The last mart of the methodology: a dbt invocation that built it built the year's marts.
MARTS_BUILT_WITH = dg.AssetKey(["marts", "mart_indicators"])


def build_dbt_assets() -> dg.AssetsDefinition:
    """The dbt assets, parsed from the manifest (`dbt parse` first when it is stale)."""

    @dbt_assets(
        manifest=prepare_manifest(),
        project=dbt_project,
        partitions_def=results_year_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=NroDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
        ),
    )
    def nro_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: NroDbtCliResource,
        warehouse: WarehouseResource,
        config: DbtVarsConfig,
    ) -> Iterator[Any]:
        years = sorted(int(key) for key in context.partition_keys)
        database = warehouse.working_path
        method = method_of_run(config)
        context.instance.add_run_tags(
            context.run_id, {PRESET_TAG: str(method.get("preset") or "default")}
        )
        variables = dbt_vars(method, database)
        with warehouse.connect() as con:
            write_run_years(con, years)
        context.log.info(f"dbt build for results years {years} with vars {variables}")
        # What landing freed (in this run or, for `nro run`, in this process), given back
        # before dbt's process starts beside this one.
        release_unused_memory()
        # Unit tests check the methodology, not the data: pytest runs them once
        # (tests/e2e/test_dbt_unit_tests.py); production runs skip them.
        invocation = dbt.cli(
            ["build", "--vars", json.dumps(variables), "--exclude-resource-type", "unit_test"],
            context=context,
            target_path=settings.dbt_target_dir(),
            raise_on_error=False,
        )
        # Test verdicts are stored while dbt goes on (thousands of events in a run over
        # several years); the models' outputs wait for their column types, which can be read
        # only once dbt has let go of the file.
        built: list[dg.Output | dg.AssetMaterialization] = []
        for event in invocation.stream():
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                built.append(event)
                continue
            yield event
            with_year_verdicts(context, event, years)
        schemas = column_schemas(database)
        for event in built:
            key = (
                context.asset_key_for_output(event.output_name)
                if isinstance(event, dg.Output)
                else event.asset_key
            )
            if key in schemas:
                event = event.with_metadata(
                    {**event.metadata, "dagster/column_schema": schemas[key]}
                )
            yield event
        if not invocation.is_successful():
            raise dg.Failure(
                description="dbt build failed: " + "; ".join(failed_nodes(invocation, database)),
                allow_retries=False,
            )
        if MARTS_BUILT_WITH in context.selected_asset_keys:  # not a seeds/staging-only subset
            with warehouse.connect() as con:
                record_year_builds(con, years, {**dbt_defaults(), **method})

    return nro_dbt_models


def column_schemas(database: Path) -> dict[dg.AssetKey, dg.TableSchema]:
    """Name, type and Russian comment of every column, by asset key `<schema>/<table>`."""
    if not database.exists():
        return {}
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name IN ('staging', 'intermediate', 'marts', 'seeds') "
            "ORDER BY schema_name, table_name, column_index"
        ).fetchall()
    columns: dict[dg.AssetKey, list[dg.TableColumn]] = {}
    for schema, table, column, data_type, comment in rows:
        columns.setdefault(dg.AssetKey([schema, table]), []).append(
            dg.TableColumn(column, data_type, description=comment)
        )
    return {key: dg.TableSchema(columns=cols) for key, cols in columns.items()}


def failed_nodes(invocation: Any, database: Path) -> list[str]:
    """dbt nodes that errored or failed, from run_results.json, in plain words (a failed
    `row_rules` test names the rules broken, read from `database`, the file dbt wrote)."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # no artifact: dbt did not get as far as running anything
        return ["see the dbt log of this run"]
    nodes = invocation.manifest.get("nodes", {})
    return describe_failures(results, database, nodes) or ["see the dbt log of this run"]
